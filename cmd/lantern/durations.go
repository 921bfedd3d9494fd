package main

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// parseLongDuration reads a duration as Go writes it (36h, 15m) or in whole
// days, weeks or years (90d, 2w, 2y; a year is 365 days).
func parseLongDuration(v string) (time.Duration, error) {
	v = strings.TrimSpace(v)
	units := map[byte]time.Duration{'d': 24 * time.Hour, 'w': 7 * 24 * time.Hour, 'y': 365 * 24 * time.Hour}
	if n := len(v); n > 1 {
		if u, ok := units[v[n-1]]; ok {
			k, err := strconv.Atoi(v[:n-1])
			if err != nil || k < 0 || k > 100*365 {
				return 0, fmt.Errorf("%q is not a duration such as 90d, 2w or 2y", v)
			}
			return time.Duration(k) * u, nil
		}
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("%q is not a duration such as 36h, 90d, 2w or 2y", v)
	}
	return d, nil
}

// checkLongDuration accepts "" (the setting is not given) or a duration.
func checkLongDuration(v string) error {
	if v == "" {
		return nil
	}
	_, err := parseLongDuration(v)
	return err
}

// longDuration returns a setting already checked by checkLongDuration.
func (c *config) longDuration(name string) time.Duration {
	d, _ := parseLongDuration(c.str(name))
	return d
}
