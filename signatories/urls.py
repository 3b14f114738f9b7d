from django.urls import path

from . import views

app_name = "signatories"
urlpatterns = [
    path("sign/", views.sign, name="sign"),
    path(
        "thanks/",
        views.letter_page,
        {"template_name": "signatories/thanks.html"},
        name="thanks",
    ),
    path("confirm/<str:token>/", views.confirm, name="confirm"),
    path(
        "confirmed/",
        views.letter_page,
        {"template_name": "signatories/confirmed.html"},
        name="confirmed",
    ),
    path("withdraw/<str:token>/", views.withdraw, name="withdraw"),
    path(
        "withdrawn/",
        views.letter_page,
        {"template_name": "signatories/withdrawn.html"},
        name="withdrawn",
    ),
]
