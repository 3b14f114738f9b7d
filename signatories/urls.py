from django.urls import path

from . import views

app_name = "signatories"
urlpatterns = [
    path("sign/", views.sign, name="sign"),
    path("thanks/", views.thanks, name="thanks"),
]
