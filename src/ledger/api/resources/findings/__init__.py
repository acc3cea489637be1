"""Findings (问题): the commands of the loop, the reads, and the schemas of the answers."""
