"""A LangChain `BaseRetriever` over the index, for use in LangChain chains and agents."""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from assistant.answer.query import Filters
from assistant.answer.retrieve import hit_to_dict, search
from assistant.index.index import Index


class ReportRetriever(BaseRetriever):
    """Hybrid search as LangChain Documents: passage text as content, the rest as metadata."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    index: Any
    k: int = 10
    filters: Filters | None = None

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[Document]:
        index: Index = self.index
        hits = search(index, query, k=self.k, filters=self.filters)
        documents = []
        for rank, hit in enumerate(hits, 1):
            metadata = hit_to_dict(index, hit, rank)
            documents.append(Document(page_content=metadata.pop("text"), metadata=metadata))
        return documents
