from fastapi import FastAPI

from .api.routes import items

app = FastAPI(title="Example service")
app.include_router(items.router)
