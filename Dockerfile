# The service itself as an image (for hosts with a registry; not built in CI here, which has none).
#   docker build -t alphora-sandbox . && docker run -p 8080:8080 -e SANDBOX_HTTP_HOST=0.0.0.0 \
#     -e SANDBOX_API_KEYS=key1:tenantA alphora-sandbox
# Sandboxes run as processes inside this container (local backend). For the Docker backend the service
# needs a daemon (SANDBOX_DOCKER_HOST) that sees its base path at the same path: sandbox workspaces are
# bind mounts. The sandboxes' runtime image is a different one: docker/runtime/Dockerfile.
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml .
RUN mvn -q -B dependency:go-offline
COPY src src
RUN mvn -q -B package -DskipTests

FROM eclipse-temurin:17-jre
RUN apt-get update && apt-get install -y --no-install-recommends python3 python3-pip \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /src/target/alphora-sandbox.jar /app/alphora-sandbox.jar
COPY conf /app/conf
ENV SANDBOX_BASE_PATH=/data/sandboxes
VOLUME /data
EXPOSE 8080
ENTRYPOINT ["java", "-jar", "/app/alphora-sandbox.jar"]
