"""Realistic signatures for the benchmark, loaded by COPY.

Names in the scripts of the seed letter's signatories (Latin with its accents) and in Kazakh,
Russian, Arabic and Chinese or Japanese; organisations and comments; one in ten hidden; most
approved, some waiting for moderation, a few rejected or flagged; signed over two months.
"""

import random
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from django.db import connection

from signatories.addresses import canonical_email, signer_key
from signatories.demo import NOTABLES, SIGNATURES

FIRST = {
    "latin": ["Jonas", "Helga", "Luc", "Anna", "Paul", "Teresa", "Kristofer", "Sonja", "Joe"],
    "kazakh": ["Әлiхан", "Нұрлан", "Айгерім", "Ғалым", "Жәнібек", "Сәуле", "Дәурен", "Ұлпан"],
    "russian": ["Алексей", "Наталья", "Сергей", "Ирина", "Дмитрий", "Ольга", "Михаил"],
    "arabic": ["محمد", "فاطمة", "أحمد", "ليلى", "يوسف", "مريم", "خالد"],
    "cjk": ["王", "李", "山田", "佐藤", "陈", "张", "鈴木"],
}
LAST = {
    "latin": ["Brännberg", "Schröder", "de Chivré", "Gathercole", "Lundberg", "Øvergaard"],
    "kazakh": ["Өктешбаев", "Сейітқали", "Нұрланұлы", "Әбілқасымова", "Құдайбергенов"],
    "russian": ["Иванов", "Смирнова", "Кузнецов", "Попова", "Соколов", "Лебедева"],
    "arabic": ["عبد الله", "الحسن", "المصري", "حداد", "يوسف"],
    "cjk": ["小明", "太郎", "花子", "建国", "美玲", "一郎"],
}
ORGANISATIONS = [organisation for _name, organisation, _country in NOTABLES] + [
    "Жанарту",
    "Kazakhstan Independent Trade Union Confederation",
    "Профсоюз нефтяников Жанаозена",
    "نقابة عمال النفط",
    "全国总工会",
    "Unite the Union",
    "",
    "",
]
COMMENTS = [comment for *_rest, comment in SIGNATURES if comment] + [
    "Бірлік күш береді!",
    "Солидарность с рабочими Жанаозена.",
    "التضامن مع العمال",
    "团结就是力量",
    'Workers\' rights & "unions" everywhere.',
]
COUNTRIES = ["KZ"] * 8 + ["RU", "GB", "DE", "SE", "FR", "IE", "EG", "CN", "JP", "US", "KG"]
COLUMNS = [
    "petition_id",
    "name",
    "email",
    "email_canonical",
    "email_key",
    "organisation",
    "country",
    "comment",
    "hide_name",
    "status",
    "confirmed_at",
    "created_at",
    "moderated_at",
    "source",
    "notable",
    "sort_order",
    "flags",
    "language",
    "emails_sent",
    "emailed_at",
    "email_held",
    "reference",
]
START = datetime(2026, 9, 1, tzinfo=UTC)


def rows(petition_id: int, first: int, count: int, *, seed: int = 7) -> Iterator[tuple]:
    """Signatures number `first` to `first + count`, the same ones on every run."""
    chance = random.Random(seed + first)
    span = timedelta(days=60).total_seconds()
    for number in range(first, first + count):
        script = chance.choice(list(FIRST))
        name = f"{chance.choice(FIRST[script])} {chance.choice(LAST[script])}"
        email = f"signer{number}@{chance.choice(['gmail.com', 'mail.kz', 'yandex.ru'])}"
        canonical = canonical_email(email)
        signed = START + timedelta(seconds=span * number / 1_100_000 + chance.random())
        roll = chance.random()
        status = "approved" if roll < 0.9 else "pending" if roll < 0.97 else "rejected"
        yield (
            petition_id,
            name,
            email,
            canonical,
            signer_key(canonical),
            chance.choice(ORGANISATIONS),
            chance.choice(COUNTRIES),
            chance.choice(COMMENTS) if chance.random() < 0.3 else "",
            chance.random() < 0.1,
            status,
            signed + timedelta(minutes=5),
            signed,
            signed + timedelta(hours=1) if status != "pending" else None,
            "web",
            False,
            0,
            "too_fast" if chance.random() < 0.02 else "",
            chance.choice(["en", "ru"]),
            1,
            signed,
            False,
            uuid.UUID(int=chance.getrandbits(128), version=4),
        )


def load(petition_id: int, first: int, count: int, *, seed: int = 7) -> None:
    """COPY signatures into the table, then let PostgreSQL learn what it holds. Loading a
    million takes longer than the site lets a statement run: not this connection's."""
    with connection.cursor() as cursor:
        cursor.execute("SET statement_timeout = 0")
        copy_sql = f"COPY signatories_signature ({', '.join(COLUMNS)}) FROM STDIN"
        with cursor.cursor.copy(copy_sql) as copy:
            for row in rows(petition_id, first, count, seed=seed):
                copy.write_row(row)
    settle()


def settle() -> None:
    """What autovacuum does on a production server after many writes, now (the server that
    measures may have it off): PostgreSQL learns what its tables hold (the email queue grew by
    thousands while people signed, and an unanalysed queue is read whole for each email), and
    writes it all out before the next measurement."""
    with connection.cursor() as cursor:
        cursor.execute("SET statement_timeout = 0")
        cursor.execute("VACUUM ANALYZE")
        cursor.execute("CHECKPOINT")
        cursor.execute("RESET statement_timeout")
