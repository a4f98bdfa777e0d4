"""Slack modals (SPEC §5.1): the views the app opens with `views.open`, and the reading of what comes back in
`view_submission`. No Slack calls and no database here: `bot.app` opens the views and calls the store
services; this module builds the Block Kit and turns the submitted state into values and field errors.

Every input has the action id `value`; the block id names the field, and errors are reported per block id
(`{"response_action": "errors", "errors": {block_id: message}}`), with `InvalidInput.field_name` mapped to
the block it belongs to.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bot import i18n
from bot.i18n import say, value_name
from bot.render.blocks import ERROR_MARK, SUCCESS_MARK, Message, clip, md
from store import validation
from store.errors import InvalidInput, SimilarName
from store.models import ActivityKind, Customer, CustomerKind, RelationLevel

View = dict[str, Any]
Block = dict[str, Any]

# callback ids of the views, and of the message shortcut
CUSTOMER_ADD = "customer_add"
CUSTOMER_EDIT = "customer_edit"
CONTACT_ADD = "contact_add"
ACTIVITY_LOG = "activity_log"
SAVE_TO_CRM = "save_to_crm"  # the message shortcut (slack-manifest.yml)
SAVE_MESSAGE = "save_message"  # the view it opens

VALUE = "value"  # the action id of every input

# Slack's limits for views (api.slack.com/reference/surfaces/views, .../block-elements)
TITLE = 24  # modal title, submit and close texts
LABEL = 2000  # input label
INPUT_TEXT = 3000  # plain_text_input initial_value / max_length
OPTION_TEXT = 75
PRIVATE_METADATA = 3000
ERROR_TEXT = 300  # our own: an error under a field is read at a glance

SIMILAR_SHOWN = 5
SUGGESTIONS = 5  # customers offered by "Save to CRM"
LOGGABLE = (ActivityKind.CALL, ActivityKind.MEETING, ActivityKind.NOTE, ActivityKind.EMAIL)

# InvalidInput.field_name (as the store names it) -> block id
CUSTOMER_FIELDS = {
    "customer name": "name",
    "org_number": "org_number",
    "country": "country",
    "customer kind": "kind",
    "visibility": "owner_only",
    "website": "website",
    "relation level": "relation_level",
}
CONTACT_FIELDS = {
    "first name": "first_name",
    "last name": "last_name",
    "title": "title",
    "email": "email",
    "phone": "phone",
}
ACTIVITY_FIELDS = {"kind": "kind", "subject": "subject", "body": "body"}

_WEBSITE = re.compile(r"^(https?://)?[^\s/.]+(\.[^\s/.]+)+(/\S*)?$", re.IGNORECASE)


# --- building blocks -------------------------------------------------------------------------------------


def _plain(text: object, limit: int = OPTION_TEXT) -> dict[str, Any]:
    return {"type": "plain_text", "text": clip(" ".join(str(text).split()), limit) or "-", "emoji": True}


def _option(value: str, label: str) -> dict[str, Any]:
    return {"text": _plain(label), "value": value}


def _text_input(
    initial: str | None = None,
    *,
    multiline: bool = False,
    max_length: int | None = None,
    placeholder: str = "",
) -> Block:
    element: Block = {"type": "plain_text_input", "action_id": VALUE, "multiline": multiline}
    if initial:
        element["initial_value"] = clip(initial, max_length or INPUT_TEXT)
    if max_length:
        element["max_length"] = max_length
    if placeholder:
        element["placeholder"] = _plain(placeholder, 150)
    return element


def _select(options: Sequence[tuple[str, str]], initial: str | None, placeholder: str) -> Block:
    element: Block = {
        "type": "static_select",
        "action_id": VALUE,
        "placeholder": _plain(placeholder, 150),
        "options": [_option(v, label) for v, label in options[:100]],
    }
    chosen = next((_option(v, label) for v, label in options if v == initial), None)
    if chosen is not None:
        element["initial_option"] = chosen
    return element


def _checkbox(value: str, label: str, *, checked: bool = False) -> Block:
    option = _option(value, label)
    element: Block = {"type": "checkboxes", "action_id": VALUE, "options": [option]}
    if checked:
        element["initial_options"] = [option]
    return element


def _input(block_id: str, label: str, element: Block, *, optional: bool = False, hint: str = "") -> Block:
    block: Block = {
        "type": "input",
        "block_id": block_id,
        "label": _plain(label, LABEL),
        "element": element,
        "optional": optional,
    }
    if hint:
        block["hint"] = _plain(hint, LABEL)
    return block


def _section(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text or " ", "verbatim": True}}


def _context(text: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text, "verbatim": True}]}


def _modal(
    callback_id: str, title: str, blocks: list[Block], lang: str, *, submit: str = "", metadata: str = ""
) -> View:
    """A modal in the user's language: `title` and `submit` are given in it ("Save" by default)."""
    return {
        "type": "modal",
        "callback_id": callback_id,
        "title": _plain(title, TITLE),
        "submit": _plain(submit or say(lang, "modal.save"), TITLE),
        "close": _plain(say(lang, "modal.cancel"), TITLE),
        "blocks": blocks,
        "private_metadata": metadata[:PRIVATE_METADATA],
    }


def _button(text: str, action_id: str, value: str, style: str | None = None) -> Block:
    button: Block = {"type": "button", "text": _plain(text), "action_id": action_id, "value": value}
    if style:
        button["style"] = style
    return button


# --- reading a submission --------------------------------------------------------------------------------


def state(view: Mapping[str, Any]) -> dict[str, Any]:
    """block id -> the submitted value: text (str or None), a select's value, or a list of ticked values."""
    out: dict[str, Any] = {}
    for block_id, actions in ((view.get("state") or {}).get("values") or {}).items():
        element: dict[str, Any] = actions.get(VALUE) or next(iter(actions.values()), {})
        if "selected_options" in element or element.get("type") == "checkboxes":
            out[block_id] = [o.get("value") for o in element.get("selected_options") or []]
        elif "selected_option" in element or element.get("type", "").endswith("_select"):
            out[block_id] = (element.get("selected_option") or {}).get("value")
        else:
            value = element.get("value")
            out[block_id] = value.strip() if isinstance(value, str) and value.strip() else None
    return out


def error_text(message: object) -> str:
    return clip(" ".join(str(message).split()), ERROR_TEXT)


def store_error_text(lang: str, exc: BaseException) -> str:
    """A store error as a modal shows it: in the user's language (bot.i18n), on one line, clipped."""
    return error_text(i18n.error_text(lang, exc))


def errors_for(exc: InvalidInput, fields: Mapping[str, str], fallback: str, lang: str) -> dict[str, str]:
    """The error shown under the field `exc` is about (under `fallback` when no block matches)."""
    return {fields.get(exc.field_name or "", fallback): store_error_text(lang, exc)}


def check(errors: dict[str, str], block_id: str, test: Callable[[], object], lang: str) -> None:
    """Run one validation; its InvalidInput becomes the error of `block_id` (the first error per block), in
    the user's language."""
    try:
        test()
    except InvalidInput as exc:
        errors.setdefault(block_id, store_error_text(lang, exc))


def _website(value: str | None) -> str | None:
    if not value:
        return None
    if not _WEBSITE.match(value):
        raise InvalidInput(
            f"{value!r} is not a web address, e.g. acme.no.",
            field_name="website",
            key="customer.bad_website",
            value=value,
        )
    return value if value.lower().startswith(("http://", "https://")) else f"https://{value}"


# --- add customer ----------------------------------------------------------------------------------------

COUNTRIES = ("NO", "SE", "FI", "DK")


def _kinds(lang: str) -> list[tuple[str, str]]:
    return [(k.value, value_name(lang, "customer_kind", k).capitalize()) for k in CustomerKind]


def _countries(lang: str) -> list[tuple[str, str]]:
    return [(code, say(lang, f"country.{code}")) for code in COUNTRIES]


def _relation_levels(lang: str) -> list[tuple[str, str]]:
    return [(r.value, value_name(lang, "relation_level", r)) for r in RelationLevel]


@dataclass
class CustomerForm:
    name: str | None = None
    org_number: str | None = None
    country: str | None = None
    kind: str | None = None
    owner_only: bool = False
    website: str | None = None
    create_anyway: bool = False

    @classmethod
    def read(cls, view: Mapping[str, Any]) -> CustomerForm:
        values = state(view)
        return cls(
            name=values.get("name"),
            org_number=values.get("org_number"),
            country=values.get("country"),
            kind=values.get("kind"),
            owner_only="owner" in (values.get("owner_only") or []),
            website=values.get("website"),
            create_anyway="yes" in (values.get("create_anyway") or []),
        )

    def errors(self, lang: str) -> dict[str, str]:
        """Every field error at once (the store reports only the first)."""
        errors: dict[str, str] = {}
        check(errors, "name", lambda: validation.required_text(self.name, "customer name"), lang)
        if self.org_number:
            check(
                errors, "org_number", lambda: validation.org_number(self.org_number or "", self.country), lang
            )
        check(errors, "website", lambda: _website(self.website), lang)
        return errors

    def options(self) -> dict[str, Any]:
        """Keyword arguments of `create_customer` besides the name."""
        options: dict[str, Any] = {"org_number": self.org_number, "country": self.country}
        if self.kind:
            options["kind"] = self.kind
        if self.owner_only:
            options["visibility"] = "owner"
        if self.website:
            options["website"] = _website(self.website)
        return options


def add_customer_view(
    form: CustomerForm | None = None, similar: Sequence[SimilarName] = (), lang: str = "en"
) -> View:
    """The "Add customer" modal; with `similar`, the near names and a "Create anyway" checkbox."""
    form = form or CustomerForm()

    def label(key: str) -> str:
        return say(lang, f"modal.{key}")

    blocks: list[Block] = []
    if similar:
        names = "\n".join(f"• {md(s.name)} (#{s.customer_number})" for s in similar[:SIMILAR_SHOWN])
        blocks.append(_section(f"{ERROR_MARK} *{label('similar')}*\n{names}"))
        blocks.append(
            _input(
                "create_anyway",
                label("not_these"),
                _checkbox("yes", label("create_anyway"), checked=form.create_anyway),
                optional=True,
                hint=label("create_anyway_hint"),
            )
        )
    blocks += [
        _input("name", label("name"), _text_input(form.name, max_length=200, placeholder="Acme AS")),
        _input(
            "org_number",
            label("org_number"),
            _text_input(form.org_number, max_length=40, placeholder="923 609 016"),
            optional=True,
            hint=label("org_hint"),
        ),
        _input(
            "country",
            label("country"),
            _select(_countries(lang), form.country, label("from_number")),
            optional=True,
        ),
        _input(
            "kind",
            label("kind"),
            _select(_kinds(lang), form.kind or CustomerKind.CUSTOMER.value, say(lang, "choice.pick_one")),
            optional=True,
        ),
        _input(
            "owner_only",
            label("visibility"),
            _checkbox("owner", label("owner_only"), checked=form.owner_only),
            optional=True,
        ),
        _input(
            "website",
            label("website"),
            _text_input(form.website, max_length=300, placeholder="acme.no"),
            optional=True,
        ),
    ]
    submit = label("create_anyway") if similar else label("create")
    return _modal(CUSTOMER_ADD, label("add_customer"), blocks, lang, submit=submit)


# --- edit customer ---------------------------------------------------------------------------------------


@dataclass
class EditForm:
    customer_id: int
    version: int
    name: str | None
    website: str | None
    kind: str | None
    relation_level: str | None

    @classmethod
    def read(cls, view: Mapping[str, Any]) -> EditForm:
        meta = json.loads(view.get("private_metadata") or "{}")
        values = state(view)
        return cls(
            customer_id=int(meta["customer_id"]),
            version=int(meta["version"]),
            name=values.get("name"),
            website=values.get("website"),
            kind=values.get("kind"),
            relation_level=values.get("relation_level"),
        )

    def errors(self, lang: str) -> dict[str, str]:
        errors: dict[str, str] = {}
        check(errors, "name", lambda: validation.required_text(self.name, "customer name"), lang)
        check(errors, "website", lambda: _website(self.website), lang)
        return errors

    def changes(self) -> dict[str, Any]:
        """The `changes` of `update_customer`: every field of the form (an emptied one is cleared)."""
        changes: dict[str, Any] = {
            "name": self.name,
            "website": _website(self.website),
            "relation_level": self.relation_level,
        }
        if self.kind:
            changes["kind"] = self.kind
        return changes


def edit_customer_view(customer: Customer, lang: str = "en") -> View:
    """The "Edit customer" modal; the customer's version travels along, so a concurrent edit is refused."""
    meta = json.dumps({"customer_id": customer.id, "version": customer.version})
    level = customer.relation_level.value if customer.relation_level else None

    def label(key: str) -> str:
        return say(lang, f"modal.{key}")

    blocks = [
        _context(say(lang, "modal.customer_number", number=customer.customer_number)),
        _input("name", label("name"), _text_input(customer.name, max_length=200)),
        _input("website", label("website"), _text_input(customer.website, max_length=300), optional=True),
        _input(
            "kind", label("kind"), _select(_kinds(lang), customer.kind.value, say(lang, "choice.pick_one"))
        ),
        _input(
            "relation_level",
            label("relation_level"),
            _select(_relation_levels(lang), level, label("none")),
            optional=True,
        ),
    ]
    return _modal(CUSTOMER_EDIT, label("edit_customer"), blocks, lang, metadata=meta)


def edit_choices_message(question: str, choices: Iterable[tuple[int, str]], lang: str = "en") -> Message:
    """Several customers match `/crm customer edit NAME`: one "Edit" button each."""
    blocks: list[Block] = [_section(md(question, 500))]
    for customer_id, label in list(choices)[:20]:
        section = _section(f"*{md(label)}*")
        section["accessory"] = _button(say(lang, "button.edit"), CUSTOMER_EDIT, str(customer_id))
        blocks.append(section)
    return Message(clip(question, 1000), blocks, ephemeral=True)


# --- add contact -----------------------------------------------------------------------------------------


@dataclass
class ContactForm:
    customer_id: int
    first_name: str | None
    last_name: str | None
    title: str | None
    email: str | None
    phone: str | None

    @classmethod
    def read(cls, view: Mapping[str, Any]) -> ContactForm:
        values = state(view)
        return cls(
            customer_id=int(view.get("private_metadata") or 0),
            first_name=values.get("first_name"),
            last_name=values.get("last_name"),
            title=values.get("title"),
            email=values.get("email"),
            phone=values.get("phone"),
        )

    def errors(self, lang: str) -> dict[str, str]:
        errors: dict[str, str] = {}
        check(
            errors,
            "first_name",
            lambda: validation.required_text(self.first_name, "first name", max_length=100),
            lang,
        )
        check(
            errors,
            "last_name",
            lambda: validation.optional_text(self.last_name, "last name", max_length=100),
            lang,
        )
        check(errors, "title", lambda: validation.optional_text(self.title, "title"), lang)
        if self.email:
            check(errors, "email", lambda: validation.email_address(self.email or ""), lang)
        if self.phone:
            check(errors, "phone", lambda: validation.phone_number(self.phone or ""), lang)
        return errors


def add_contact_view(customer_id: int, customer_name: str, lang: str = "en") -> View:
    """The "Add contact" modal; the customer is fixed (private_metadata is its id)."""

    def label(key: str) -> str:
        return say(lang, f"modal.{key}")

    blocks = [
        _section(say(lang, "modal.new_contact_at", customer=f"*{md(customer_name)}*")),
        _input("first_name", label("first_name"), _text_input(max_length=100)),
        _input("last_name", label("last_name"), _text_input(max_length=100), optional=True),
        _input(
            "title",
            label("title"),
            _text_input(max_length=200, placeholder=label("title_example")),
            optional=True,
        ),
        _input(
            "email", label("email"), _text_input(max_length=254, placeholder="kari@acme.no"), optional=True
        ),
        _input(
            "phone", label("phone"), _text_input(max_length=40, placeholder="+47 912 34 567"), optional=True
        ),
    ]
    return _modal(
        CONTACT_ADD, label("add_contact"), blocks, lang, submit=label("add"), metadata=str(customer_id)
    )


# --- log activity ----------------------------------------------------------------------------------------


@dataclass
class ActivityForm:
    customer_id: int
    kind: str
    subject: str | None
    body: str | None

    @classmethod
    def read(cls, view: Mapping[str, Any]) -> ActivityForm:
        values = state(view)
        return cls(
            customer_id=int(view.get("private_metadata") or 0),
            kind=values.get("kind") or ActivityKind.CALL.value,
            subject=values.get("subject"),
            body=values.get("body"),
        )

    def errors(self, lang: str) -> dict[str, str]:
        errors: dict[str, str] = {}
        check(
            errors, "subject", lambda: validation.required_text(self.subject, "subject", max_length=300), lang
        )
        return errors


def log_activity_view(customer_id: int, customer_name: str, lang: str = "en") -> View:
    kinds = [(k.value, value_name(lang, "kind", k).capitalize()) for k in LOGGABLE]

    def label(key: str) -> str:
        return say(lang, f"modal.{key}")

    blocks = [
        _section(say(lang, "modal.log_on", customer=f"*{md(customer_name)}*")),
        _input("kind", label("what"), _select(kinds, ActivityKind.CALL.value, say(lang, "choice.pick_one"))),
        _input(
            "subject", label("subject"), _text_input(max_length=300, placeholder=label("subject_example"))
        ),
        _input("body", label("notes"), _text_input(multiline=True, max_length=INPUT_TEXT), optional=True),
    ]
    return _modal(
        ACTIVITY_LOG, label("log_activity"), blocks, lang, submit=label("log"), metadata=str(customer_id)
    )


# --- save a message to the CRM ---------------------------------------------------------------------------

MAX_QUERIES = 12
_WORD = re.compile(r"[^\W_][\w&'./-]*", re.UNICODE)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def search_queries(text: str) -> list[str]:
    """What to look customers up by, for a message: the whole (short) message, runs of capitalised words
    ("Fjordlys Rådgivning AS"), then single words, longest first; at most MAX_QUERIES, no bare long numbers
    (a phone number is not a customer number)."""
    clean = " ".join(_CONTROL.sub(" ", text).split())
    words = [w.strip(".'-/") for w in _WORD.findall(clean)]
    words = [w for w in words if w]
    runs: list[str] = []
    run: list[str] = []
    for word in [*words, ""]:
        if word and (word[0].isupper() or word[0].isdigit()):
            run.append(word)
            continue
        if len(run) > 1:
            runs.append(" ".join(run))
        run = []
    singles = sorted({w for w in words if len(w) >= 3}, key=lambda w: (not w[0].isupper(), -len(w), w))
    queries: list[str] = []
    seen: set[str] = set()
    for query in [clean if len(clean) <= 100 else "", *runs, *singles]:
        compact = re.sub(r"[\s.\-]", "", query)
        if not query or query.casefold() in seen or (compact.isdigit() and len(compact) > 9):
            continue
        seen.add(query.casefold())
        queries.append(query)
    return queries[:MAX_QUERIES]


@dataclass
class SavedMessage:
    """Where the message is (its channel and ts make the activity's external id) and its permalink."""

    channel: str
    ts: str
    permalink: str | None = None

    @property
    def external_id(self) -> str:
        return f"{self.channel}/{self.ts}"

    def metadata(self) -> str:
        return json.dumps({"channel": self.channel, "ts": self.ts, "permalink": self.permalink})

    @classmethod
    def from_metadata(cls, raw: str) -> SavedMessage:
        meta = json.loads(raw or "{}")
        return cls(str(meta["channel"]), str(meta["ts"]), meta.get("permalink"))


@dataclass
class SaveForm:
    message: SavedMessage
    customer_id: int | None
    customer_ref: str | None
    subject: str | None
    note: str | None

    @classmethod
    def read(cls, view: Mapping[str, Any]) -> SaveForm:
        values = state(view)
        picked = values.get("customer")
        return cls(
            message=SavedMessage.from_metadata(view.get("private_metadata") or ""),
            customer_id=int(picked) if picked else None,
            customer_ref=values.get("customer_ref"),
            subject=values.get("subject"),
            note=values.get("note"),
        )

    def body(self, lang: str = "en") -> str:
        """The note, and where it came from in the saving user's language."""
        parts = [self.note or ""]
        if self.message.permalink:
            parts.append(say(lang, "modal.from_slack", link=self.message.permalink))
        return "\n\n".join(p for p in parts if p)


def save_message_view(
    message: SavedMessage, text: str, suggestions: Sequence[tuple[int, str]], lang: str = "en"
) -> View:
    """The "Save to CRM" modal: the best-matching customers first (the best one chosen), a name to type
    instead, and the note (the message text, editable)."""

    def label(key: str) -> str:
        return say(lang, f"modal.{key}")

    first_line = next((line for line in text.splitlines() if line.strip()), "") or label("slack_message")
    blocks: list[Block] = []
    if suggestions:
        options = [(str(cid), name) for cid, name in suggestions]
        blocks.append(
            _input(
                "customer",
                label("customer"),
                _select(options, options[0][0], label("pick_customer")),
                optional=True,
                hint=label("suggest_hint"),
            )
        )
    else:
        blocks.append(_context(label("no_suggestion")))
    blocks += [
        _input(
            "customer_ref",
            label("another_customer") if suggestions else label("customer"),
            _text_input(max_length=200, placeholder=label("customer_ref_example")),
            optional=True,
        ),
        _input("subject", label("subject"), _text_input(clip(first_line, 120), max_length=300)),
        _input("note", label("note"), _text_input(text, multiline=True, max_length=INPUT_TEXT)),
    ]
    if message.permalink:
        blocks.append(_context(say(lang, "modal.link_saved", link=md(message.permalink, 300))))
    return _modal(SAVE_MESSAGE, label("save_to_crm"), blocks, lang, metadata=message.metadata())


# --- messages to the user --------------------------------------------------------------------------------


def notice(text: str, customer_id: int, *, success: bool = False, lang: str = "en") -> Message:
    """A short note to the user with a button to the customer it is about."""
    mark = f"{SUCCESS_MARK} " if success else ""
    button = _button(say(lang, "button.open_customer"), "customer_open", str(customer_id))
    blocks = [
        _section(mark + md(text, 2900, one_line=False)),
        {"type": "actions", "elements": [button]},
    ]
    return Message(clip(text, 1000), blocks)


def open_existing_message(text: str, customer_id: int, lang: str = "en") -> Message:
    """A duplicate was refused: the reason, and a button to the customer that exists."""
    blocks = [
        _section(f"{ERROR_MARK} {md(text, 2900, one_line=False)}"),
        {
            "type": "actions",
            "elements": [
                _button(say(lang, "button.open_existing"), "customer_open", str(customer_id), "primary")
            ],
        },
    ]
    return Message(clip(text, 1000), blocks, ephemeral=True)
