"""zongjie (总结): drafts Chinese formal work reports from the user's bullet facts."""
__version__ = "0.1.0"
