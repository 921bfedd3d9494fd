package sim

// Records waiting in a sink. Each holds everything its line needs except
// the names of areas and stations, which never change once the force is
// built: sinks encode them on their own goroutines while the simulation
// goes on.

type staffRec struct {
	staff                 int32
	left                  bool // this version records their leaving, at the record's time
	role, variant, gender uint8
	area, station         int32
	team                  string
	startDate             int64
}

type personRec struct {
	person    int32
	flags     uint16
	gender    uint8
	birthYear int16
	area      int32
	phone     int32
}

type incidentRec struct {
	incident int32
	typ      uint8
	open     bool
	area     int32
	opened   int64
	closed   int64
}

type involvementRec struct {
	incident, person int32
	part             uint8
}

type assignmentRec struct {
	incident, staff int32
	kind            uint8
	until           int64 // 0 when the tasking has not ended
}

type shiftRec struct {
	staff int32
	kind  uint8
	end   int64
}

type accessRec struct {
	id       int64
	staff    int32
	person   int32 // -1 for none
	incident int32 // -1 for none
	ws       int32 // station*100 + terminal, or -1 for the member's handheld device
	system   uint8
	action   uint8
	fields   uint8
	query    string
}

type commsRec struct {
	id        int64
	staff     int32
	number    int32 // a mobile number's index, or an agency's landline when negative
	duration  int32
	direction uint8
	kind      uint8
}
