package candidature

import (
	"context"
	"errors"

	"cma/internal/proof"
)

// checkProof checks a half-tariff proof all the way through (CAN-9, package
// proof) and returns its content type, or the refusal worded for the person,
// one message for each family of refusal.
func checkProof(data []byte) (string, *FieldError) {
	// The check bounds its own time; the form's checks take no context.
	contentType, err := proof.Check(context.Background(), data)
	if err == nil {
		return contentType, nil
	}
	msg := "Le justificatif doit être un fichier PDF, JPEG ou PNG."
	switch {
	case errors.Is(err, proof.ErrDamaged):
		msg = "Le justificatif est endommagé ou illisible : enregistrez-le de nouveau en PDF, ou joignez une photo JPEG ou PNG."
	case errors.Is(err, proof.ErrActive):
		msg = "Le justificatif contient du contenu actif (script, programme, fichier joint ou page web) : joignez une copie simple, imprimée en PDF ou prise en photo."
	case errors.Is(err, proof.ErrTooLarge):
		msg = "Le justificatif est trop volumineux une fois ouvert (image de plus de 40 mégapixels ou PDF trop lourd) : scannez-le de nouveau en résolution plus basse."
	}
	return "", &FieldError{"justificatif", msg}
}
