"""Example-report corpus and section retrieval: ingest web pages into a parsed corpus, index it with BM25.

Submodules are imported on demand so `import retrieval` stays cheap (jieba loads only when indexing).
"""
