"""Benchmarks of bnn2q: simulator throughput against its peers and the matmul floor."""
