package strictjson

import (
	"bufio"
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

// Lines reads JSON Lines: it calls each with every line of r that is not
// blank, trimmed of spaces, and the line's number from 1, and stops at the
// first error each returns. A line longer than max bytes is an error, and
// so is a failed read. n is the number of the line the error is about, so
// the caller can name it as FILE:LINE.
func Lines(r io.Reader, max int, each func(n int, line []byte) error) (n int, err error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, min(max, 64<<10)), max)
	for sc.Scan() {
		n++
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		if err := each(n, line); err != nil {
			return n, err
		}
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			err = fmt.Errorf("line longer than %d bytes", max)
		}
		return n + 1, err
	}
	return n, nil
}
