// Package lantern holds Lantern's domain: the people, incidents and events a
// counter-corruption unit works with, their validation rules, the service
// interfaces that storage and transport adapters implement, and the one error
// type that every layer returns.
//
// The package imports nothing from storage, HTTP or messaging; adapters live in
// their own packages and cmd/lantern wires them together.
package lantern

import (
	"errors"
	"fmt"
)

// Error codes. Every error that leaves a service carries one of these so that
// transports can map it (to an HTTP status, an exit code) without guessing.
const (
	ECONFLICT       = "conflict"        // the action conflicts with the current state
	EINTERNAL       = "internal"        // a fault in Lantern or a dependency
	EINVALID        = "invalid"         // the input failed validation
	ENOTFOUND       = "not_found"       // the thing asked for does not exist
	EUNAUTHORIZED   = "unauthorized"    // the caller is not signed in
	EFORBIDDEN      = "forbidden"       // the caller may not do this
	EUNAVAILABLE    = "unavailable"     // a dependency is not reachable right now
	ENOTIMPLEMENTED = "not_implemented" // the capability is not available in this build
)

// Error is Lantern's application error. Code is one of the E* constants,
// Message is safe to show to the caller, and Field names the input field at
// fault when the error comes from validation.
//
// Messages must never contain secrets or personal data: they reach logs.
type Error struct {
	Code    string
	Field   string
	Message string
}

// Error implements the error interface.
func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("lantern error: code=%s field=%s message=%s", e.Code, e.Field, e.Message)
	}
	return fmt.Sprintf("lantern error: code=%s message=%s", e.Code, e.Message)
}

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// FieldErrorf returns an EINVALID *Error about one input field.
func FieldErrorf(field, format string, args ...any) *Error {
	return &Error{Code: EINVALID, Field: field, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL for
// any other non-nil error, and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the message of the first *Error in err's chain, or a
// generic text for any other error so that internal details never reach a
// caller.
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return "Internal error."
}

// ErrorField returns the field named by the first *Error in err's chain, or "".
func ErrorField(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Field
	}
	return ""
}
