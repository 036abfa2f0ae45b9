"""The article's FastAPI `/me`: python-jose decodes the token, and that is all (no
revocation, no user lookup). Served by uvicorn with uvloop and httptools in the benchmark."""

import os
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException
from fastapi.security import OAuth2PasswordBearer
from jose import JWTError, jwt

SECRET_KEY = os.environ["JWT_SECRET_KEY"]
ALGORITHM = "HS256"

app = FastAPI()
oauth2_scheme = OAuth2PasswordBearer(tokenUrl="login")


def create_access_token(id_: str, minutes: int = 24 * 60) -> str:
    """As the article writes it (a `sub` and an `exp`)."""
    import datetime

    expire = datetime.datetime.now(datetime.UTC) + datetime.timedelta(minutes=minutes)
    return jwt.encode({"sub": id_, "exp": expire}, SECRET_KEY, algorithm=ALGORITHM)


async def current_user(token: Annotated[str, Depends(oauth2_scheme)]) -> dict:
    try:
        payload = jwt.decode(token, SECRET_KEY, algorithms=[ALGORITHM])
    except JWTError as error:
        raise HTTPException(status_code=401, detail="Could not validate credentials") from error
    return {"id": payload["sub"]}


@app.get("/me")
async def me(user: Annotated[dict, Depends(current_user)]) -> dict:
    return user


@app.get("/health")
async def health() -> dict:
    return {"status": "ok"}
