package strictjson

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"
)

type file struct {
	Name string `json:"name"`
	N    int    `json:"n,omitempty"`
}

func TestDecodeIsStrict(t *testing.T) {
	var f file
	require.NoError(t, Decode([]byte("{\"name\": \"a\", \"n\": 2}\n\n"), &f))
	require.Equal(t, file{"a", 2}, f)

	err := Decode([]byte(`{"nmae": "a"}`), &f)
	require.ErrorContains(t, err, `unknown field "nmae"`)

	err = Decode([]byte(`{"n": "two"}`), &f)
	var te *json.UnmarshalTypeError
	require.True(t, errors.As(err, &te), "%v", err)
	require.Equal(t, "n", te.Field)

	err = Decode([]byte(`{"name": "a"} {"name": "b"}`), &f)
	require.ErrorIs(t, err, ErrTrailing)
	err = Decode([]byte(`{"name": "a"} x`), &f)
	require.ErrorIs(t, err, ErrTrailing)

	require.Error(t, Decode([]byte(`{"name": `), &f), "cut short")
}

func TestIndentIsTheSavedForm(t *testing.T) {
	require.Equal(t, "{\n  \"name\": \"a\"\n}\n", string(Indent(file{Name: "a"})))
	require.Panics(t, func() { Indent(make(chan int)) })
}
