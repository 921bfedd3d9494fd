package workspace

import (
	"context"

	"lantern"
)

// Person returns what the force holds about a person (flags, never
// telephone numbers) and one page of who accessed their records or
// contacted them, newest first: when, from which system, and whether each
// had a policing purpose at that moment. It needs ActViewPerson.
// ENOTFOUND for an unknown person; EINVALID for a bad page.
func (s *Service) Person(ctx context.Context, personID string, page lantern.IndexPage) (PersonView, error) {
	c, err := s.begin(ctx, lantern.ActViewPerson, "person:"+personID)
	if err != nil {
		return PersonView{}, err
	}
	if err := c.checkID(ctx, personID); err != nil {
		return PersonView{}, err
	}
	v, err := s.person(ctx, personID, page)
	if err != nil {
		return PersonView{}, c.fail(ctx, err)
	}
	if err := c.allow(ctx, ""); err != nil {
		return PersonView{}, err
	}
	return v, nil
}

func (s *Service) person(ctx context.Context, personID string, page lantern.IndexPage) (PersonView, error) {
	if page.Limit == 0 {
		page.Limit = DefaultPersonPage
	}
	page, err := page.Normalize()
	if err != nil {
		return PersonView{}, err
	}
	p, err := s.cfg.Persons.FindPersonByID(ctx, personID)
	if err != nil {
		return PersonView{}, err
	}
	v := PersonView{
		Person: PersonSummary{ID: p.ID, Gender: p.Gender, BirthYear: p.BirthYear, Area: p.Area, Flags: p.Flags},
		Page:   page,
	}
	events, total, err := s.cfg.Index.PersonAccesses(ctx, personID, page)
	if err != nil {
		return PersonView{}, err
	}
	v.Total = total
	v.Accesses = make([]PersonAccess, 0, len(events))
	staff := staffCache{svc: s.cfg.Staff}
	for _, e := range events {
		st, err := staff.get(ctx, e.StaffID)
		if err != nil {
			return PersonView{}, err
		}
		v.Accesses = append(v.Accesses, PersonAccess{EventID: e.ID, At: e.Time, Kind: e.Kind, Staff: st,
			System: e.System, Action: e.Action, Fields: e.Fields, IncidentID: e.IncidentID,
			Purpose: e.Purpose, PurposeReason: e.PurposeReason})
	}
	return v, nil
}
