"""Small adapters of the web pages onto use cases being written in other rooms (swapped after merging)."""
