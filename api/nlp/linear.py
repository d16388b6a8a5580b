"""A fitted text pipeline (TF-IDF word and character n-grams, then a logistic regression) read for one
message at a time, without scikit-learn's per-call machinery.

scikit-learn checks and converts its input on every call (array validation, parameter validation,
dataframe detection); for one short message that costs far more than the arithmetic, several times a turn.
`TextModel` reads the fitted vocabularies, idf weights and coefficients once and does the same sums:
counts of known n-grams, sublinear tf, idf, l2 norm, then softmax (or the logistic function for two
classes). Its probabilities equal the pipeline's (tests/engine/test_linear.py checks every model).
"""

from collections import Counter
from collections.abc import Callable

import numpy as np
from scipy.sparse import csr_matrix
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline

Row = tuple[np.ndarray, np.ndarray]  # the columns of a message's non-zero features, and their values


class _Tfidf:
    """One fitted TfidfVectorizer, for one text."""

    def __init__(self, vectorizer: TfidfVectorizer, offset: int, weight: float) -> None:
        if vectorizer.binary or not vectorizer.use_idf or vectorizer.norm not in ("l2", None):
            raise ValueError("only the TF-IDF settings this project uses are read directly")
        self.analyze: Callable[[str], list[str]] = vectorizer.build_analyzer()
        self.vocabulary: dict[str, int] = vectorizer.vocabulary_
        self.idf = np.asarray(vectorizer.idf_, dtype=np.float64)
        self.sublinear = bool(vectorizer.sublinear_tf)
        self.l2 = vectorizer.norm == "l2"
        self.offset = offset
        self.weight = weight

    def row(self, text: str) -> Row:
        vocabulary = self.vocabulary
        counts = Counter(i for i in (vocabulary.get(term) for term in self.analyze(text)) if i is not None)
        columns = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
        values = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
        if self.sublinear:
            values = np.log(values) + 1.0
        values *= self.idf[columns]
        if self.l2 and values.size:
            values /= np.sqrt(values @ values)
        return columns + self.offset, values * self.weight


class Linear:
    """A fitted LogisticRegression's probabilities for one row of features."""

    def __init__(self, model: LogisticRegression) -> None:
        self.coef = np.asarray(model.coef_, dtype=np.float64)
        self.intercept = np.asarray(model.intercept_, dtype=np.float64)
        self.classes: list[str] = [str(c) for c in model.classes_]

    def proba(self, row: Row) -> np.ndarray:
        """The probability of each class (in `classes` order)."""
        columns, values = row
        scores = self.coef[:, columns] @ values + self.intercept
        if len(self.classes) == 2:  # one column of coefficients: the logistic function
            positive = 1.0 / (1.0 + np.exp(-scores[0]))
            return np.array([1.0 - positive, positive])
        scores = np.exp(scores - scores.max())
        return scores / scores.sum()


class TextModel:
    """A fitted Pipeline([("features", FeatureUnion of TfidfVectorizers), ("clf", LogisticRegression)])."""

    def __init__(self, pipeline: Pipeline) -> None:
        union: FeatureUnion = pipeline.named_steps["features"]
        weights = union.transformer_weights or {}
        self.parts: list[_Tfidf] = []
        offset = 0
        for name, vectorizer in union.transformer_list:
            self.parts.append(_Tfidf(vectorizer, offset, float(weights.get(name, 1.0))))
            offset += len(vectorizer.vocabulary_)
        self.width = offset
        self.linear = Linear(pipeline.named_steps["clf"])
        self.classes = self.linear.classes

    def row(self, text: str) -> Row:
        """The message's features: non-zero columns and values, as the pipeline's FeatureUnion makes them."""
        rows = [part.row(text) for part in self.parts]
        return np.concatenate([c for c, _ in rows]), np.concatenate([v for _, v in rows])

    def proba(self, text: str) -> np.ndarray:
        """The pipeline's predict_proba for one message."""
        return self.linear.proba(self.row(text))

    def matrix(self, row: Row) -> csr_matrix:
        """A row as scikit-learn's 1 x n sparse matrix (for a model trained on these features)."""
        columns, values = row
        return csr_matrix((values, (np.zeros(len(columns), dtype=np.int64), columns)), shape=(1, self.width))
