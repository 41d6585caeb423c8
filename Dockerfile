# One image for all four apps of a region; the container's command picks the app (see deploy/k8s).
#   docker build -t geokv .
#   docker run --rm -e REDIS_URL=… -e HOST=0.0.0.0 -p 8080:8080 geokv                       # a gateway
#   docker run --rm -e REDIS_URL=… -e DATABASE_URL=… -e GEOKV_NODE_ID=n1 -e HOST=0.0.0.0 \
#     geokv node --single-threaded-gc --max-old-space-size=512 dist/apps/storage-node/src/main.js   # a storage node

FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY apps apps
COPY libs libs
COPY tools tools
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim
# MALLOC_MMAP_THRESHOLD_: freed memory goes back to the system (see the README's quick start); without
# it a node that once held large values kept 500-700 MB resident. HOST: listen beyond the container.
ENV NODE_ENV=production MALLOC_MMAP_THRESHOLD_=131072 HOST=0.0.0.0
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules node_modules
COPY --from=build /app/dist dist
USER node
EXPOSE 8080 7000 7050 7100
# --single-threaded-gc: with a CPU quota of a core or two, V8's collector helper threads mostly wait for
# the quota, and the app with them (see the README's Performance section).
CMD ["node", "--single-threaded-gc", "dist/apps/gateway/src/main.js"]
