// The print page's one button: the browser's own print dialog.
document.getElementById("print").addEventListener("click", () => window.print());
