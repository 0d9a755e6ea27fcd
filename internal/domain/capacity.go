package domain

import "fmt"

// Capacity bounds of CAT-4.
const (
	GeneralMinCapacity  = 20
	GeneralMaxCapacity  = 25
	ComputerMaxCapacity = 15
)

// DefaultCapacity is the capacity a new course gets when staff do not set one (CAT-4):
// general courses 25, computer courses 15 but never more than the room's
// workstations, technical diploma courses the room's workstations.
func DefaultCapacity(kind FormationKind, room Room) int {
	switch kind {
	case KindComputer:
		return min(ComputerMaxCapacity, room.Workstations)
	case KindTechnical:
		return room.Workstations
	}
	return GeneralMaxCapacity
}

// CheckCapacity refuses a capacity that breaks CAT-4 for the formation's kind in
// that room. General courses may go below 20 (a small room) but not above 25.
func CheckCapacity(kind FormationKind, room Room, capacity int) error {
	if capacity <= 0 {
		return fmt.Errorf("la capacité doit être positive (reçu %d)", capacity)
	}
	switch kind {
	case KindComputer:
		if capacity > ComputerMaxCapacity {
			return fmt.Errorf("un cours d'informatique accueille au plus %d personnes (reçu %d)", ComputerMaxCapacity, capacity)
		}
		if capacity > room.Workstations {
			return fmt.Errorf("la salle %s n'a que %d postes : une personne par poste (reçu %d)", room.Name, room.Workstations, capacity)
		}
	case KindTechnical:
		if capacity > room.Workstations {
			return fmt.Errorf("la salle %s n'a que %d postes techniques (reçu %d)", room.Name, room.Workstations, capacity)
		}
	default:
		if capacity > GeneralMaxCapacity {
			return fmt.Errorf("un cours accueille au plus %d personnes (reçu %d)", GeneralMaxCapacity, capacity)
		}
	}
	return nil
}
