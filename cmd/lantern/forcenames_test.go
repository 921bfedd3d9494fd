package main

import (
	"slices"
	"testing"
)

func TestForceNamesSetting(t *testing.T) {
	for in, want := range map[string][]string{
		"":                                       nil,
		" , ":                                    nil,
		"Midshire Police":                        {"Midshire Police"},
		"Midshire Police, Midshire Constabulary": {"Midshire Police", "Midshire Constabulary"},
	} {
		cfg, _, _, err := loadConfig("serve", []string{"--force-names", in}, func(string) string { return "" }, nil, serveSettings())
		if err != nil {
			t.Fatalf("%q: %v", in, err)
		}
		if got := forceNames(cfg); !slices.Equal(got, want) {
			t.Errorf("%q: %q, want %q", in, got, want)
		}
	}
}
