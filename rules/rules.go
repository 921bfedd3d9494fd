// Package rules is Lantern's built-in rule library for abuse of position for
// a sexual purpose: one or more rules per indicator of the product brief, each
// with positive and negative fixtures in testdata/. The files are embedded,
// so the binary carries them; docs/rules.md describes the language.
package rules

import (
	"embed"
	"io/fs"

	"lantern/detect"
)

//go:embed *.yaml testdata/*.yaml
var files embed.FS

// FS returns the library's files: the rule files at the root and the
// fixtures in testdata/.
func FS() fs.FS { return files }

// Load compiles the built-in library.
func Load() (*detect.RuleSet, error) { return detect.Load(files, ".") }
