package detect

// SetGuards turns shared guards on or off, so tests can compare the two.
func SetGuards(e *Engine, on bool) { e.noGuards = !on }
