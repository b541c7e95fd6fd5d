package taxii

// routes registers every endpoint of TAXII 2.1 (sections 4.1–5.8). {root}
// is checked by each handler against APIRoot; {collection} by
// collectionOf.
func (s *Server) routes() {
	const root = Prefix + "{root}/"
	const col = root + "collections/{collection}/"
	s.mux.HandleFunc("GET "+Prefix+"{$}", s.handle(s.discoveryGet))
	s.mux.HandleFunc("GET "+root+"{$}", s.handle(s.apiRootGet))
	s.mux.HandleFunc("GET "+root+"status/{status}/{$}", s.handle(s.statusGet))
	s.mux.HandleFunc("GET "+root+"collections/{$}", s.handle(s.collectionList))
	s.mux.HandleFunc("GET "+col+"{$}", s.handle(s.collectionGet))
	s.mux.HandleFunc("GET "+col+"manifest/{$}", s.handle(s.manifestGet))
	s.mux.HandleFunc("GET "+col+"objects/{$}", s.handle(s.objectList))
	s.mux.HandleFunc("POST "+col+"objects/{$}", s.handle(s.objectAdd))
	s.mux.HandleFunc("GET "+col+"objects/{object}/{$}", s.handle(s.objectGet))
	s.mux.HandleFunc("DELETE "+col+"objects/{object}/{$}", s.handle(s.objectDelete))
	s.mux.HandleFunc("GET "+col+"objects/{object}/versions/{$}", s.handle(s.versionList))
	s.mux.HandleFunc(Prefix, s.unrouted)
}
