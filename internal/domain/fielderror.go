package domain

import "strings"

// FieldError is one wrong value in a use case's input. Field is a logical name
// of the input ("phone", "postal_code", "objective", "proof_date"), never the
// name of an HTML input: the web layer maps it to the form it shows. Key is a
// message key of the i18n catalogues and Args fills its placeholders, so that
// the service knows no language and the page words it in the reader's.
type FieldError struct {
	Field string
	Key   string
	Args  map[string]any
}

// Error is for logs: "phone: person.error.phone".
func (e FieldError) Error() string { return e.Field + ": " + e.Key }

// Is lets errors.Is match a FieldError by field and key, whatever its
// arguments (a struct holding a map cannot be compared with ==).
func (e FieldError) Is(target error) bool {
	t, ok := target.(FieldError)
	return ok && t.Field == e.Field && t.Key == e.Key
}

// FieldErrors is every error of a form at once, in the order of its fields.
type FieldErrors []FieldError

func (e FieldErrors) Error() string {
	parts := make([]string, len(e))
	for i, f := range e {
		parts[i] = f.Error()
	}
	return strings.Join(parts, "; ")
}

// Unwrap lets errors.Is find one field error among them.
func (e FieldErrors) Unwrap() []error {
	out := make([]error, len(e))
	for i, f := range e {
		out[i] = f
	}
	return out
}
