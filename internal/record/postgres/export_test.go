package postgres

// CopiedFrom is copiedFrom, for the tests of the copy's coverage.
var CopiedFrom = copiedFrom
