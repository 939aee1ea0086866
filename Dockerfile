# One image recipe for every IIR service: docker build --build-arg APP=gateway -t iir-gateway .
FROM node:20-bookworm-slim AS build
WORKDIR /src
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json .npmrc ./
# node-llama-cpp (the agent's optional dependency) comes with prebuilt binaries: never download more.
ENV NODE_LLAMA_CPP_SKIP_DOWNLOAD=true
RUN npm ci --no-audit --no-fund
COPY . .
ARG APP=gateway
RUN node tools/build.mjs "$APP" && npm prune --omit=dev \
 && if [ "$APP" != agent ] && [ "$APP" != all-in-one ]; then rm -rf node_modules/node-llama-cpp node_modules/@node-llama-cpp; fi

FROM node:20-bookworm-slim
ARG APP=gateway
ENV NODE_ENV=production APP=${APP} NODE_LLAMA_CPP_SKIP_DOWNLOAD=true
WORKDIR /app
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/package.json ./package.json
COPY --from=build /src/dist/apps/${APP} ./dist/apps/${APP}
COPY --from=build /src/config ./config
# The classifier's trained model (about 2 MB; the classifier reads it from CLASSIFIER_MODEL_PATH).
COPY --from=build /src/apps/classifier/model ./apps/classifier/model
# The agent's bundled tiny GGUF model (1 MB, MIT; see models/README.md).
COPY --from=build /src/models ./models
RUN mkdir -p /app/var && chown -R node:node /app/var
USER node
EXPOSE 8000 8001 8002 8003 8004 5000
CMD ["sh", "-c", "exec node --enable-source-maps dist/apps/${APP}/main.js"]
