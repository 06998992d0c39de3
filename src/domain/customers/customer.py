"""A customer and the address book of the people they send flowers to.

Phones are checked against a country: the customer's against the shop's, a recipient's against the
address's own country (the shop's unless given)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from uuid import UUID, uuid4

from domain.customers.contact import check_country, check_email, check_phone
from domain.shared.errors import Checks, InvalidValue
from domain.shared.text import clean_line, plain_text

MAX_NAME_LENGTH = 120
MAX_NOTES_LENGTH = 2000
MAX_LINE_LENGTH = 200
MAX_CITY_LENGTH = 100
MAX_POSTAL_CODE_LENGTH = 16
MAX_ADDRESSES = 50


def check_full_name(raw: str, field: str = "full_name") -> str:
    return clean_line(raw, field, max_length=MAX_NAME_LENGTH)


def check_notes(raw: str, field: str = "notes") -> str:
    return plain_text(raw, field, max_length=MAX_NOTES_LENGTH, multiline=True, required=False)


def check_postal_code(raw: str, field: str = "postal_code") -> str:
    return clean_line(raw, field, max_length=MAX_POSTAL_CODE_LENGTH).upper()


def search_key(full_name: str, email: str | None, phone: str | None) -> str:
    """What ``q`` is matched against: name, email and phone, case-folded, one space apart."""
    return " ".join(part for part in (full_name, email or "", phone or "") if part).casefold()


@dataclass(frozen=True, slots=True)
class Address:
    """A recipient in the address book."""

    id: UUID
    name: str
    phone: str | None
    line1: str
    line2: str
    city: str
    postal_code: str
    country: str

    @classmethod
    def create(
        cls,
        *,
        name: str,
        line1: str,
        city: str,
        postal_code: str,
        country: str,
        phone: str | None = None,
        line2: str | None = None,
        id: UUID | None = None,
        prefix: str = "",
    ) -> Address:
        checks = Checks()
        country = checks.run(lambda raw: check_country(raw, f"{prefix}country"), country)
        country_known = not checks.failed
        name = checks.run(lambda raw: clean_line(raw, f"{prefix}name", max_length=MAX_NAME_LENGTH), name)
        line1 = checks.run(lambda raw: clean_line(raw, f"{prefix}line1", max_length=MAX_LINE_LENGTH), line1)
        if line2 is not None:
            line2 = checks.run(
                lambda raw: plain_text(raw, f"{prefix}line2", max_length=MAX_LINE_LENGTH, required=False), line2
            )
        city = checks.run(lambda raw: clean_line(raw, f"{prefix}city", max_length=MAX_CITY_LENGTH), city)
        postal_code = checks.run(lambda raw: check_postal_code(raw, f"{prefix}postal_code"), postal_code)
        if phone is not None and country_known:  # read as dialled in the address's country
            phone = checks.run(lambda raw: check_phone(raw, country, f"{prefix}phone"), phone)
        checks.raise_any()
        return cls(
            id=id or uuid4(),
            name=name,
            phone=phone,
            line1=line1,
            line2=line2 or "",
            city=city,
            postal_code=postal_code,
            country=country,
        )

    def changed(
        self,
        *,
        name: str | None = None,
        phone: str | None = None,
        clear_phone: bool = False,
        line1: str | None = None,
        line2: str | None = None,
        city: str | None = None,
        postal_code: str | None = None,
        country: str | None = None,
    ) -> Address:
        """The address with the given fields replaced (None keeps a field; ``clear_phone`` drops the
        phone), every field checked again as on creation."""
        return Address.create(
            id=self.id,
            name=self.name if name is None else name,
            phone=None if clear_phone else (self.phone if phone is None else phone),
            line1=self.line1 if line1 is None else line1,
            line2=self.line2 if line2 is None else line2,
            city=self.city if city is None else city,
            postal_code=self.postal_code if postal_code is None else postal_code,
            country=self.country if country is None else country,
        )


@dataclass(frozen=True, slots=True)
class Customer:
    id: UUID
    vendor_id: UUID
    full_name: str
    email: str | None
    phone: str | None
    notes: str
    marketing_consent: bool
    marketing_consent_at: datetime | None
    addresses: tuple[Address, ...] = field(default=())
    created_at: datetime | None = None

    @property
    def search_text(self) -> str:
        return search_key(self.full_name, self.email, self.phone)

    @classmethod
    def create(
        cls,
        *,
        vendor_id: UUID,
        country: str,
        full_name: str,
        at: datetime,
        email: str | None = None,
        phone: str | None = None,
        notes: str | None = None,
        marketing_consent: bool = False,
        addresses: tuple[Address, ...] = (),
    ) -> Customer:
        """A new customer, every field checked (every refused one reported together). ``country``
        is the shop's: a phone without ``+`` is read as dialled there."""
        checks = Checks()
        full_name = checks.run(check_full_name, full_name)
        if email is not None:
            email = checks.run(check_email, email)
        if phone is not None:
            phone = checks.run(lambda raw: check_phone(raw, country), phone)
        notes = checks.run(check_notes, notes or "")
        if len(addresses) > MAX_ADDRESSES:
            checks.add(InvalidValue("addresses", f"must hold at most {MAX_ADDRESSES} addresses"))
        checks.raise_any()
        return cls(
            id=uuid4(),
            vendor_id=vendor_id,
            full_name=full_name,
            email=email,
            phone=phone,
            notes=notes,
            marketing_consent=marketing_consent,
            marketing_consent_at=at if marketing_consent else None,
            addresses=tuple(addresses),
            created_at=at,
        )

    def changed(
        self,
        *,
        country: str,
        at: datetime,
        full_name: str | None = None,
        email: str | None = None,
        clear_email: bool = False,
        phone: str | None = None,
        clear_phone: bool = False,
        notes: str | None = None,
        marketing_consent: bool | None = None,
    ) -> Customer:
        """The customer with the given fields changed. Consent given now is stamped ``at``; consent
        withdrawn clears the stamp; consent confirmed again keeps the first stamp."""
        checks = Checks()
        if full_name is not None:
            full_name = checks.run(check_full_name, full_name)
        if email is not None:
            email = checks.run(check_email, email)
        if phone is not None:
            phone = checks.run(lambda raw: check_phone(raw, country), phone)
        if notes is not None:
            notes = checks.run(check_notes, notes)
        checks.raise_any()
        consent = self.marketing_consent if marketing_consent is None else marketing_consent
        if not consent:
            consent_at = None
        elif self.marketing_consent:
            consent_at = self.marketing_consent_at
        else:
            consent_at = at
        return replace(
            self,
            full_name=full_name or self.full_name,
            email=None if clear_email else (email or self.email),
            phone=None if clear_phone else (phone or self.phone),
            notes=self.notes if notes is None else notes,
            marketing_consent=consent,
            marketing_consent_at=consent_at,
        )

    def with_address(self, address: Address) -> Customer:
        if len(self.addresses) >= MAX_ADDRESSES:
            raise InvalidValue("addresses", f"must hold at most {MAX_ADDRESSES} addresses")
        return replace(self, addresses=(*self.addresses, address))

    def address(self, address_id: UUID) -> Address | None:
        return next((address for address in self.addresses if address.id == address_id), None)

    def with_address_replaced(self, address: Address) -> Customer:
        return replace(self, addresses=tuple(address if kept.id == address.id else kept for kept in self.addresses))

    def without_address(self, address_id: UUID) -> Customer:
        return replace(self, addresses=tuple(kept for kept in self.addresses if kept.id != address_id))
