package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/faultline-sim/faultline/internal/jepsen"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "jepsenconv:", err)
		os.Exit(2)
	}
}

func run(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("jepsenconv", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	dir := fs.String("o", "", "write DIR/NAME.jsonl per input instead of standard output")
	if err := fs.Parse(args); err != nil {
		return err
	}
	files := fs.Args()
	switch {
	case len(files) == 0:
		return fmt.Errorf("no input file (usage: jepsenconv [-o DIR] FILE...)")
	case *dir == "" && len(files) > 1:
		return fmt.Errorf("%d input files need -o DIR", len(files))
	}
	for _, f := range files {
		if err := convert(f, *dir, stdout); err != nil {
			return err
		}
	}
	return nil
}

func convert(file, dir string, stdout io.Writer) error {
	in, err := os.Open(file)
	if err != nil {
		return err
	}
	defer in.Close()
	h, err := jepsen.Parse(in, file)
	if err != nil {
		return err
	}
	if dir == "" {
		return h.Write(stdout)
	}
	out := filepath.Join(dir, strings.TrimSuffix(filepath.Base(file), filepath.Ext(file))+".jsonl")
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	if err := h.Write(f); err != nil {
		f.Close()
		return fmt.Errorf("%s: %w", out, err)
	}
	return f.Close()
}
