from fastapi import FastAPI

from .api.routes import item_lookup, items, reminders, tags, users

app = FastAPI(title="Example service")
app.include_router(items.router)
app.include_router(item_lookup.router)
app.include_router(tags.router)
app.include_router(reminders.router)
app.include_router(users.router)
