package reject

import (
	"encoding/json"
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// The one list: every Name constant declared in reject.go is in All, once,
// in the order of the file, and All holds nothing else; every name is a
// snake_case token with a one-line doc comment that starts with the
// constant's identifier.
func TestAllIsTheConstBlocks(t *testing.T) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "reject.go", nil, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	var declared []Name
	for _, d := range f.Decls {
		gd, ok := d.(*ast.GenDecl)
		if !ok || gd.Tok != token.CONST {
			continue
		}
		for _, spec := range gd.Specs {
			vs := spec.(*ast.ValueSpec)
			if id, ok := vs.Type.(*ast.Ident); !ok || id.Name != "Name" {
				t.Errorf("%s: constant not of type Name", fset.Position(vs.Pos()))
				continue
			}
			for i, n := range vs.Names {
				lit := vs.Values[i].(*ast.BasicLit)
				v := Name(strings.Trim(lit.Value, `"`))
				declared = append(declared, v)
				if v == "" || strings.Trim(string(v), "abcdefghijklmnopqrstuvwxyz0123456789_") != "" {
					t.Errorf("%s: %q is not a snake_case token", n.Name, v)
				}
				if doc := vs.Doc.Text(); !strings.HasPrefix(doc, n.Name+": ") || strings.Count(doc, "\n") != 1 {
					t.Errorf("%s: doc comment %q is not one line starting with %q", n.Name, doc, n.Name+": ")
				}
			}
		}
	}
	if !slices.Equal(declared, All()) {
		t.Errorf("All() and the const blocks differ:\nconst: %q\nAll:   %q", declared, All())
	}
	seen := map[Name]bool{}
	for _, n := range All() {
		if seen[n] {
			t.Errorf("%q twice", n)
		}
		seen[n] = true
	}
}

// Every name the code can emit is one of the constants: no non-test file of
// the module outside this package makes a Name from a string literal (an
// untyped constant converted implicitly, as in OnReject("x")) or converts
// anything to Name. The packages are type-checked from the export data of
// the build cache.
func TestNoNamesOutsideThisPackage(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	cmd := exec.Command("go", "list", "-export", "-deps", "-json=ImportPath,Dir,GoFiles,Export,Module", "github.com/h2kit/h2kit/...")
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	type pkg struct {
		ImportPath, Dir, Export string
		GoFiles                 []string
		Module                  *struct{ Path string }
	}
	exports := map[string]string{}
	var ours []pkg
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for {
		var p pkg
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		exports[p.ImportPath] = p.Export
		if p.Module != nil && p.Module.Path == "github.com/h2kit/h2kit" && p.ImportPath != "github.com/h2kit/h2kit/reject" {
			ours = append(ours, p)
		}
	}
	fset := token.NewFileSet()
	imp := importer.ForCompiler(fset, "gc", func(path string) (io.ReadCloser, error) {
		return os.Open(exports[path])
	})
	checked := 0
	for _, p := range ours {
		var files []*ast.File
		for _, name := range p.GoFiles {
			f, err := parser.ParseFile(fset, filepath.Join(p.Dir, name), nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			files = append(files, f)
		}
		info := &types.Info{Types: map[ast.Expr]types.TypeAndValue{}}
		conf := types.Config{Importer: imp.(types.ImporterFrom)}
		if _, err := conf.Check(p.ImportPath, fset, files, info); err != nil {
			t.Fatalf("%s: %v", p.ImportPath, err)
		}
		isName := func(typ types.Type) bool {
			n, ok := typ.(*types.Named)
			return ok && n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == "github.com/h2kit/h2kit/reject" && n.Obj().Name() == "Name"
		}
		for _, f := range files {
			ast.Inspect(f, func(n ast.Node) bool {
				switch e := n.(type) {
				case *ast.BasicLit:
					if tv, ok := info.Types[e]; ok && isName(tv.Type) && e.Value != `""` {
						t.Errorf("%s: reject name spelled as the literal %s; use the constant", fset.Position(e.Pos()), e.Value)
					}
				case *ast.CallExpr:
					if tv, ok := info.Types[e.Fun]; ok && tv.IsType() && isName(tv.Type) {
						t.Errorf("%s: conversion to reject.Name; use a constant", fset.Position(e.Pos()))
					}
				}
				return true
			})
		}
		checked++
	}
	if checked < 5 {
		t.Fatalf("only %d packages checked", checked)
	}
}
