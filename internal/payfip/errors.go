package payfip

import (
	"errors"
	"fmt"
	"strings"
)

// Fault is an error PayFiP answered with: a SOAP fault and, for PayFiP's own
// faults, the detail it declares (code, libellé, descriptif, sévérité).
type Fault struct {
	// Kind is FaultFonctionnelle, FaultTechDysfonctionnement,
	// FaultTechIndisponibilite or FaultTechProtocolaire; empty for a bare SOAP
	// fault without PayFiP detail (then Code is the SOAP faultcode and Libelle
	// its faultstring).
	Kind       string
	Code       string
	Libelle    string
	Descriptif string
	Severite   string
}

func (f *Fault) Error() string {
	var b strings.Builder
	if f.Kind != "" {
		b.WriteString("PayFiP " + f.Kind + " ")
	} else {
		b.WriteString("PayFiP SOAP fault ")
	}
	b.WriteString(f.Code)
	if f.Libelle != "" {
		b.WriteString(": " + f.Libelle)
	}
	if f.Descriptif != "" && f.Descriptif != f.Libelle {
		b.WriteString(" (" + f.Descriptif + ")")
	}
	return b.String()
}

// temporary reports whether asking again later may succeed: PayFiP's technical
// faults, and a bare SOAP fault blamed on the server.
func (f *Fault) temporary() bool {
	if f.Kind == "" {
		code := f.Code
		if i := strings.LastIndexByte(code, ':'); i >= 0 {
			code = code[i+1:]
		}
		return code == "Server" || code == "Receiver"
	}
	return strings.HasPrefix(f.Kind, "Tech")
}

// ErrInvalidRequest is wrapped by the errors CreatePayment returns for an input
// it refuses before calling PayFiP.
var ErrInvalidRequest = errors.New("payfip: invalid request")

// temporaryError marks a failure that may pass if tried again: the network,
// a timeout, an HTTP 5xx without a SOAP answer.
type temporaryError struct{ err error }

func (e *temporaryError) Error() string { return e.err.Error() }
func (e *temporaryError) Unwrap() error { return e.err }

func temporary(format string, args ...any) error {
	return &temporaryError{err: fmt.Errorf(format, args...)}
}

// faultCode returns the code of the PayFiP fault in err's chain, or "".
func faultCode(err error) string {
	var f *Fault
	if errors.As(err, &f) {
		return f.Code
	}
	return ""
}

// IsNotYetKnown reports whether err is PayFiP's fault P5: the operation exists
// but has no result yet (the payer is on the page, or never finished; eopayment
// treats it as waiting for 20 minutes after the creation, then as expired).
func IsNotYetKnown(err error) bool { return faultCode(err) == CodeNotYetKnown }

// IsUnknownOperation reports whether err is PayFiP's fault P1: the idOp is
// unknown, never created or purged (about a day after its creation).
func IsUnknownOperation(err error) bool { return faultCode(err) == CodeUnknownOperation }

// IsTemporary reports whether err may pass if the call is made again later: a
// network error or timeout, an HTTP 5xx without a SOAP answer, or one of
// PayFiP's technical faults (Tech*). A functional fault (a refused input, P1,
// P5) is not temporary: P5 changes only when the payer acts.
func IsTemporary(err error) bool {
	var t *temporaryError
	if errors.As(err, &t) {
		return true
	}
	var f *Fault
	if errors.As(err, &f) {
		return f.temporary()
	}
	return false
}
