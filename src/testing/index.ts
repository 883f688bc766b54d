// Shared conformance suites, exported as `sepal/testing`.
