package detect

// SetGuards turns shared guards on or off, so tests can compare the two.
func SetGuards(e *Engine, on bool) { e.noGuards = !on }

// SetClosures turns the compiled closures on or off (expr's VM evaluates
// every expression), so tests can compare the two.
func SetClosures(e *Engine, on bool) { e.vmOnly = !on }
