// Loaded into kaleido's render page (reports/render.py). kaleido 1.5 prints PDFs with a 0.1 inch margin on a
// page exactly the figure's size, which shifts the figure and cuts 0.1 inch off its right and bottom edge.
// A CSS page margin of 0 overrides the print margin.
document.head.insertAdjacentHTML("beforeend", "<style>@page { margin: 0 }</style>");
