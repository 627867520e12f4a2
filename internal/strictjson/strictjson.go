package strictjson

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// ErrTrailing is data after the one JSON value a file or line must hold.
var ErrTrailing = errors.New("data after the JSON value")

// Decode reads exactly one JSON value from data into v, refusing fields v
// does not have. Errors are encoding/json's own (so errors.As finds
// *json.UnmarshalTypeError and *json.SyntaxError) or wrap ErrTrailing;
// the caller adds which file or line it was.
func Decode(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return fmt.Errorf("%w (at byte %d)", ErrTrailing, dec.InputOffset())
	}
	return nil
}

// Indent is v as indented JSON with a final newline, the saved-file form.
// v is one of the project's own plain types, so failing to encode it is a
// bug, and it panics.
func Indent(v any) []byte {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		panic(fmt.Sprintf("strictjson: encode %T: %v", v, err))
	}
	return append(b, '\n')
}
