package store

// CollectTx is what the collectors record: STIX objects, news feeds and
// TAXII subscriptions.
type CollectTx interface {
	STIXTx
	FeedTx
	TAXIITx
}

// CollectReader reads what the collectors recorded.
type CollectReader interface {
	STIXReader
	FeedReader
	TAXIIReader
}
