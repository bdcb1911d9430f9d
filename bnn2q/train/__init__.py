"""Training: Larq BNN builders and (quantum-aware) fine-tuning."""
