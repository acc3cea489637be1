"""Reports over a jurisdiction or a period: the open-loop report and evaluation references."""
