"""Polish morphology for the knowledge base (Morfeusz 2 behind ``services.kb.morphology.Morphology``)."""

from helpdesk.adapters.morph.morfeusz import MorfeuszMorphology, morfeusz

__all__ = ["MorfeuszMorphology", "morfeusz"]
