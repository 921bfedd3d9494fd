package quality

import (
	"embed"
	"io/fs"

	"lantern/detect"
)

//go:embed baseline/*.yaml
var baselineFiles embed.FS

// BaselineRules compiles the plain threshold baseline: one rule alerting when
// a member of staff has viewed the records of at least as many distinct
// vulnerable people in 30 days as its threshold, whatever their role and
// whatever the purpose. It runs through the same engine, Risk and Score as
// the built-in library, so the two can be shown side by side. docs/rules.md
// says how its threshold was chosen.
func BaselineRules() (*detect.RuleSet, error) { return detect.Load(baselineFiles, "baseline") }

// BaselineFS returns the baseline's rule file and its fixtures (in
// testdata/), under the directory "baseline".
func BaselineFS() fs.FS { return baselineFiles }
