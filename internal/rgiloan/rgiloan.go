// Package rgiloan lets an RGI app of this module (static's) get a response
// header map from the rgi connection serving it instead of allocating a
// copy of a map it keeps: the rgi package sets Headers; the app calls it
// with the rgi.Bodies value it was given.
//
// The RGI contract gives the map of a response to whoever receives it, so
// an app that precomputes one must hand out a copy each time. rgi's
// HTTP/1.1 server, once it has written a response whose map is an
// unchanged copy of such a precomputed map, keeps the copy (it owns it)
// and lends it for the next response made from the same map; the app's
// next copy then costs no allocation. Anything else (another Bodies value,
// a map changed by a wrapping app, a different precomputed map) gets a
// fresh copy.
package rgiloan

import "maps"

// Headers returns a map equal to tmpl that the caller may give away; b is
// the rgi.Bodies value the app was called with. tmpl must not be modified,
// ever (its copies are compared with it). rgi replaces it.
var Headers = func(b any, tmpl map[string]string) map[string]string { return maps.Clone(tmpl) }
