"""POST /model/parse in Rasa's shape, and GET /health."""


def test_parse_returns_rasa_shape(client):
    body = client.post("/model/parse", json={"text": "do i have to pay council tax"}).json()
    assert body["text"] == "do i have to pay council tax"
    assert body["intent"]["name"] == "council_tax"
    assert 0 < body["intent"]["confidence"] <= 1
    assert body["intent_ranking"][0]["name"] == "council_tax"
    assert isinstance(body["entities"], list)


def test_parse_extracts_entities_with_synonyms(client):
    body = client.post("/model/parse", json={"text": "my uc got stopped and i live in boston"}).json()
    values = {(e["entity"], e["value"]) for e in body["entities"]}
    assert ("benefit", "universal credit") in values
    assert ("place", "boston") in values


def test_parse_calls_crisis_first(client):
    body = client.post("/model/parse", json={"text": "gonna kms"}).json()
    assert body["intent"]["name"] == "crisis"


def test_parse_falls_back_on_nonsense(client):
    body = client.post("/model/parse", json={"text": "zxqv blorp"}).json()
    assert body["intent"]["name"] in {"nlu_fallback", "out_of_scope"}


def test_parse_bad_input(client):
    assert client.post("/model/parse", json={}).status_code == 422
    assert client.post("/model/parse", content=b"nope", headers={"Content-Type": "application/json"}).status_code == 400


def test_health(client):
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_ready_checks_database_schema_and_engine(client):
    body = client.get("/ready").json()
    assert body == {"status": "ready", "engine": True, "database": True, "schema": True}
