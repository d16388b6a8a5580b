"""All settings, from the environment (prefix CARING_) and an optional .env file."""

from datetime import time
from functools import lru_cache
from pathlib import Path

from pydantic import AliasChoices, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent
DEV_SECRET = "development-only-secret-not-for-production"
DEV_TWILIO_TOKEN = "development-only-twilio-token"
DEV_TWILIO_SID = "AC00000000000000000000000000000000"
# Values that are public (in this repository, .env.example or docs): never a production secret.
KNOWN_WEAK = {DEV_SECRET, DEV_TWILIO_TOKEN, "changeme", "change-me", "secret", "password", "xxx", "todo", "test"}
MIN_SECRET_CHARS = 32


def weak_secret(value: str) -> str | None:
    """Why a production secret is not good enough, or None: long, not a known value, not one repeated pattern."""
    if value.lower() in KNOWN_WEAK or value.lower().startswith("development-only"):
        return "is a known development or placeholder value"
    if len(value) < MIN_SECRET_CHARS:
        return f"is shorter than {MIN_SECRET_CHARS} characters"
    if len(set(value)) < 10:
        return "does not look random (too few different characters)"
    return None


class Settings(BaseSettings):
    """One place for every setting; secrets never have real defaults."""

    model_config = SettingsConfigDict(env_prefix="CARING_", env_file=".env", extra="ignore")

    environment: str = "development"  # development | test | production
    data_dir: Path = Path("./var")
    database_url: str | None = None  # default: SQLite in data_dir
    # Upgrade the schema at start-up. On by default only in development (the embedded default);
    # elsewhere start-up refuses a database that is behind and `caring-promise db upgrade` is run.
    auto_migrate: bool | None = None
    database_schema: str | None = None  # PostgreSQL only: tables live in this schema (tests use a fresh one)
    public_url: str | None = None  # the address Twilio calls, for signature checks behind a proxy

    council: str = "lincolnshire"  # the default council: which folder of content/ answers when nothing says
    # Several councils in one deployment: the number each council's young people text (Twilio's `To`), as
    # JSON: CARING_COUNCIL_NUMBERS='{"+447700900100": "north-lincolnshire"}'. A number not listed: the default.
    council_numbers: dict[str, str] = {}
    bot_dir: Path = ROOT / "bot"
    content_dir: Path = ROOT / "content"
    log_level: str = "INFO"
    # Retention (UK GDPR storage limitation): `caring-promise purge` deletes older records.
    feedback_retention_days: int = 730  # 24 months
    conversation_retention_days: int = 90  # also texts' delivery records and sent notifications
    # A request closed this long ago goes, with its history (set it to the council's records policy).
    request_retention_days: int = 730
    # Office hours of the leaving care team (council time). Outside them, on weekends and on England and
    # Wales bank holidays, young people are given the emergency duty team and requests wait for the
    # next working morning. `closed_days`: extra days the council is shut (ISO dates, comma-separated).
    timezone: str = "Europe/London"
    office_opens: time = time(9, 0)
    office_closes: time = time(17, 0)
    closed_days: str = ""
    # How long, in working hours, before someone contacts a young person who asked for a person.
    handoff_hours: int = 8  # one working day
    handoff_hours_urgent: int = 2  # "today"
    # Where requests go (work inboxes). Unset: the request is still stored and shown to staff.
    leaving_care_inbox: str | None = None  # callbacks, and handoffs while an advisor is away
    complaints_inbox: str | None = None  # the children's services complaints team
    advocacy_inbox: str | None = None  # the advocacy provider's referral inbox
    safeguarding_inbox: str | None = None  # the duty team: told of every safeguarding alert at once
    participation_inbox: str | None = None  # the participation team: the weekly themes email
    # The inboxes above are the default council's. Another council's, as JSON by council:
    # CARING_COUNCIL_INBOXES='{"north-lincolnshire": {"safeguarding_inbox": "duty@...", "leaving_care_inbox": ...}}'.
    # A council without its own is never sent another council's mail: its requests wait in the staff pages.
    council_inboxes: dict[str, dict[str, str]] = {}
    # Mail (SMTP). Without smtp_host, notifications go by SMS only (to a worker's work mobile).
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = True
    mail_from: str = "caring-promise@localhost"
    # Where "Exit this page" goes: somewhere innocuous (GOV.UK's pattern uses BBC Weather).
    quick_exit_url: str = "https://www.bbc.co.uk/weather"
    notify_interval: float = 2.0  # seconds between outbox rounds in each server process (0: off)
    engine: str = "embedded"  # embedded | rasa (forward to a real Rasa server; safety and channels stay here)
    rasa_url: str = "http://rasa:5005"
    rasa_timeout: float = 8.0  # seconds; Twilio waits 15 in all

    # Longest message we accept at all; longer gets a 413-style 422 with a reason.
    max_message_chars: int = 20_000
    # Largest request body read at all (JSON or form); bigger gets 413 before it is read into memory.
    max_body_bytes: int = 256_000
    # The API documentation (/docs, /redoc, /openapi.json): on by default except in production.
    api_docs: bool | None = None
    # Proxies whose X-Forwarded-For is believed (comma-separated addresses or networks, e.g. the load
    # balancer). Empty: the connection's own address counts, whatever a header says.
    trusted_proxies: str = ""
    # Rate limits (calls a minute), shared by every worker through the database; 0 turns one off. A
    # message at risk is always answered, whatever the rate. Per sender low enough to stop a flood, far
    # above anyone typing; per address high, so a college's students behind one address never block
    # each other.
    # Callers never limited: this machine (benchmarks, the evaluation, health checks). Behind a proxy on the
    # same machine, list it in trusted_proxies so each young person's own address counts instead.
    rate_limit_exempt: str = "127.0.0.1,::1"
    limit_chat_per_sender: int = 30
    limit_chat_per_address: int = 600
    limit_sms_per_number: int = 20
    limit_parse_per_address: int = 120
    limit_feedback_per_address: int = 120  # the contract asks that 60 a minute work
    limit_signin_per_address: int = 30  # a quarter of an hour (one account locks after 5 wrong passwords)
    # Only this many characters reach the classifier (the crisis check always reads everything).
    nlu_max_chars: int = 1_000

    # Keys conversation ids and opt-outs to phone numbers without storing the numbers.
    secret_key: SecretStr | None = None
    # Only for tests and local fakes: where the Twilio REST client sends its requests.
    twilio_api_base: str | None = None
    twilio_messaging_service_sid: str | None = Field(
        default=None,
        validation_alias=AliasChoices("TWILIO_MESSAGING_SERVICE_SID", "CARING_TWILIO_MESSAGING_SERVICE_SID"),
    )

    twilio_account_sid: str | None = Field(
        default=None, validation_alias=AliasChoices("TWILIO_ACCOUNT_SID", "CARING_TWILIO_ACCOUNT_SID")
    )
    twilio_auth_token: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("TWILIO_AUTH_TOKEN", "CARING_TWILIO_AUTH_TOKEN")
    )
    twilio_from_number: str | None = Field(
        default=None, validation_alias=AliasChoices("TWILIO_FROM_NUMBER", "CARING_TWILIO_FROM_NUMBER")
    )

    @property
    def db_url(self) -> str:
        """The database URL in use: the setting, or SQLite under the data directory."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'caring-promise.db').resolve()}"

    def inbox(self, name: str, council: str | None) -> str | None:
        """A council's work inbox (`safeguarding_inbox`, `leaving_care_inbox`...): its own from
        council_inboxes, or for the default council the setting itself; None when it has none."""
        if council and council != self.council:
            return self.council_inboxes.get(council, {}).get(name) or None
        return self.council_inboxes.get(self.council, {}).get(name) or getattr(self, name)

    @property
    def cache_dir(self) -> Path:
        """Where trained artefacts are cached."""
        return self.data_dir / "cache"

    @model_validator(mode="after")
    def _no_placeholder_secrets_in_production(self) -> "Settings":
        if self.auto_migrate is None:
            self.auto_migrate = self.environment == "development"
        if self.environment != "production":
            # Development and tests get fixed, obviously-fake secrets so `make run` works offline.
            self.secret_key = self.secret_key or SecretStr(DEV_SECRET)
            self.twilio_auth_token = self.twilio_auth_token or SecretStr(DEV_TWILIO_TOKEN)
            self.twilio_account_sid = self.twilio_account_sid or DEV_TWILIO_SID
        else:
            key = self.secret_key.get_secret_value() if self.secret_key else ""
            if not key or (why := weak_secret(key)):
                reason = "is not set" if not key else why
                raise ValueError(f"CARING_SECRET_KEY {reason}: set {MIN_SECRET_CHARS}+ random characters in production")
            token = self.twilio_auth_token.get_secret_value() if self.twilio_auth_token else ""
            if token and (token.lower() in KNOWN_WEAK or token.lower().startswith("development-only")):
                raise ValueError("TWILIO_AUTH_TOKEN is a development or placeholder value; set the real token")
            if self.twilio_account_sid == DEV_TWILIO_SID:
                raise ValueError("TWILIO_ACCOUNT_SID is the development value; set the real account")
            if not self.database_url:
                raise ValueError("CARING_DATABASE_URL must be set in production")
        if self.api_docs is None:
            self.api_docs = self.environment != "production"
        return self


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings (tests clear the cache to change them)."""
    return Settings()
