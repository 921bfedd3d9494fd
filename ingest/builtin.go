package ingest

import (
	"embed"
	"io/fs"
	"path"
	"sort"
	"strings"

	"lantern"
)

// builtinProfiles holds the example profiles shipped with Lantern.
//
//go:embed profiles/*.yaml
var builtinProfiles embed.FS

// BuiltinProfiles returns the names of the profiles shipped with Lantern
// ("phone-cdr", "rms-audit", "roster", "vetting-screening"), sorted.
func BuiltinProfiles() []string {
	entries, _ := fs.ReadDir(builtinProfiles, "profiles")
	var names []string
	for _, e := range entries {
		names = append(names, strings.TrimSuffix(e.Name(), ".yaml"))
	}
	sort.Strings(names)
	return names
}

// BuiltinProfile loads the shipped profile called name, or returns an
// ENOTFOUND *lantern.Error.
func BuiltinProfile(name string) (*Profile, error) {
	file := path.Join("profiles", name+".yaml")
	f, err := builtinProfiles.Open(file)
	if err != nil || strings.ContainsAny(name, "/\\") {
		return nil, lantern.Errorf(lantern.ENOTFOUND, "no built-in profile %s", echo(name))
	}
	defer f.Close()
	return LoadProfile(f, name)
}
