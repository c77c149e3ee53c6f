from collections.abc import Generator

from sqlmodel import Session, create_engine

engine = create_engine("sqlite:///app.db")


def get_session() -> Generator[Session, None, None]:
    with Session(engine) as session:
        yield session
