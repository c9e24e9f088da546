# The container: Convex's own backend image plus the shim (one bundled file), one entrypoint.
# Convex's image ships Node 22, which runs the shim.

FROM node:22-bookworm-slim AS shim
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY tunnel ./tunnel
COPY shim ./shim
RUN npx esbuild shim/main.ts --bundle --platform=node --format=esm --target=node22 --outfile=/build/shim.mjs

FROM --platform=linux/amd64 ghcr.io/get-convex/convex-backend:be8a4f397810ce3d04dc3cb32bc81969fe64685a
WORKDIR /convex
COPY --from=shim /build/shim.mjs /convex/shim.mjs
COPY --chmod=755 container/entrypoint.sh /convex/entrypoint.sh
# 3210: Convex API and site (under /http); 6543: the tunnel the Durable Object dials.
EXPOSE 3210 6543
ENTRYPOINT ["/convex/entrypoint.sh"]
