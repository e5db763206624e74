"""The file MLflow logs as the scorer's code ("models from code"): it names the model class."""

from mlflow.models import set_model

from model.scorer import LeadScorer

set_model(LeadScorer())
