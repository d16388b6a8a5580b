"""A fitted text pipeline (TF-IDF word and character n-grams, then a logistic regression) read for one
message at a time, without scikit-learn.

scikit-learn checks and converts its input on every call (array validation, parameter validation,
dataframe detection); for one short message that costs far more than the arithmetic, several times a turn.
And importing it takes most of a second. `TextModel.of(pipeline)` copies out what a fitted pipeline
learned (each vectorizer's settings, vocabulary and idf weights; the regression's coefficients) and
does the same steps in plain Python and numpy: the same analyzer (preprocessing, tokens or character
n-grams inside word boundaries), counts of known n-grams, sublinear tf, idf, l2 norm, then softmax (or
the logistic function for two classes). The model cache holds these readers, not the pipelines, so a
server starts and answers without importing scikit-learn; training still uses it.
tests/engine/test_linear.py checks the analyzers' n-grams and every model's probabilities against
scikit-learn's.
"""

import re
from collections import Counter
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # training only: reading a model never imports scikit-learn
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import FeatureUnion, Pipeline

Row = tuple[np.ndarray, np.ndarray]  # the columns of a message's non-zero features, and their values
_WHITE_SPACES = re.compile(r"\s\s+")  # scikit-learn's, for char_wb


class Tfidf:
    """One fitted TfidfVectorizer, for one text: its analyzer, vocabulary and idf weights."""

    def __init__(self, vectorizer: "TfidfVectorizer", offset: int, weight: float) -> None:
        unsupported = (
            vectorizer.binary
            or not vectorizer.use_idf
            or vectorizer.norm not in ("l2", None)
            or vectorizer.analyzer not in ("word", "char_wb")
            or vectorizer.strip_accents is not None
            or vectorizer.stop_words is not None
            or vectorizer.tokenizer is not None
            or vectorizer.input != "content"
        )
        if unsupported:
            raise ValueError("only the TF-IDF settings this project uses are read directly")
        self.words = vectorizer.analyzer == "word"
        self.ngrams: tuple[int, int] = tuple(vectorizer.ngram_range)
        self.tokens = re.compile(vectorizer.token_pattern)
        if self.words and self.tokens.groups > 1:
            raise ValueError("a token pattern has at most one group")
        # A preprocessor of our own (api/nlp/text.py's normalise) replaces lower-casing, as in scikit-learn.
        self.preprocessor: Callable[[str], str] | None = vectorizer.preprocessor
        self.lowercase = bool(vectorizer.lowercase)
        self.vocabulary: dict[str, int] = {str(k): int(v) for k, v in vectorizer.vocabulary_.items()}
        self.idf = np.asarray(vectorizer.idf_, dtype=np.float64)
        self.sublinear = bool(vectorizer.sublinear_tf)
        self.l2 = vectorizer.norm == "l2"
        self.offset = offset
        self.weight = weight

    def analyze(self, text: str) -> list[str]:
        """The n-grams scikit-learn's `build_analyzer()` makes of the text."""
        if self.preprocessor is not None:
            text = self.preprocessor(text)
        elif self.lowercase:
            text = text.lower()
        low, high = self.ngrams
        grams: list[str] = []
        if self.words:
            tokens = self.tokens.findall(text)
            if low == 1:
                grams.extend(tokens)
                low = 2
            for n in range(low, min(high, len(tokens)) + 1):
                grams.extend(" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1))
            return grams
        for word in _WHITE_SPACES.sub(" ", text).split():
            padded = f" {word} "
            for n in range(low, high + 1):
                grams.extend(padded[i : i + n] for i in range(max(len(padded) - n, 0) + 1))
                if len(padded) <= n:  # a short word is counted once, whatever n
                    break
        return grams

    def row(self, text: str) -> Row:
        """The non-zero TF-IDF features of the text (columns offset into the whole feature row)."""
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

    def __init__(self, model: "LogisticRegression") -> None:
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


class Features:
    """A fitted FeatureUnion of TfidfVectorizers: their columns side by side, for one text."""

    def __init__(self, union: "FeatureUnion") -> None:
        weights = union.transformer_weights or {}
        self.names: list[str] = []
        self.parts: list[Tfidf] = []
        offset = 0
        for name, vectorizer in union.transformer_list:
            self.names.append(name)
            self.parts.append(Tfidf(vectorizer, offset, float(weights.get(name, 1.0))))
            offset += len(vectorizer.vocabulary_)
        self.width = offset

    def row(self, text: str) -> Row:
        """The text's features: non-zero columns and values, as the FeatureUnion makes them."""
        rows = [part.row(text) for part in self.parts]
        return np.concatenate([c for c, _ in rows]), np.concatenate([v for _, v in rows])


class TextModel:
    """A fitted Pipeline([("features", FeatureUnion of TfidfVectorizers), ("clf", LogisticRegression)])."""

    def __init__(self, pipeline: "Pipeline") -> None:
        self.features = Features(pipeline.named_steps["features"])
        self.linear = Linear(pipeline.named_steps["clf"])
        self.classes = self.linear.classes

    def row(self, text: str) -> Row:
        """The message's features: non-zero columns and values, as the pipeline's FeatureUnion makes them."""
        return self.features.row(text)

    def proba(self, text: str) -> np.ndarray:
        """The pipeline's predict_proba for one message."""
        return self.linear.proba(self.row(text))
