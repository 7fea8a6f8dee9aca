"""Originality protection: perceptual frame hashes, audio fingerprints and title shingles of works, an LSH index
for near-duplicate search, and the rule "earliest publisher wins" (docs/growth.md, Originality protection)."""
