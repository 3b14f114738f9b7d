from django.urls import path

from . import views

app_name = "signatories"
urlpatterns = [
    path("sign/", views.sign, name="sign"),
    path("thanks/", views.thanks, name="thanks"),
    path("confirm/<str:token>/", views.confirm, name="confirm"),
    path("confirmed/", views.confirmed, name="confirmed"),
    path("withdraw/<str:token>/", views.withdraw, name="withdraw"),
    path("withdrawn/", views.withdrawn, name="withdrawn"),
]
