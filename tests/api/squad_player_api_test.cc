// SquadService and PlayerService through a real channel.
#include "tests/api/server_fixture.h"

#include "google/protobuf/field_mask.pb.h"
#include "grpc/health/v1/health.grpc.pb.h"

namespace touchline::testing {
namespace {

using ::testing::ElementsAre;

class SquadApiTest : public ServerTest {};

TEST_F(SquadApiTest, CreateGetListUpdate) {
  const int64_t id = MakeSquad("First XV");
  ASSERT_GT(id, 0);
  MakeSquad("A League");

  v1::GetSquadRequest get;
  get.set_id(id);
  v1::GetSquadResponse got;
  ASSERT_TRUE(squads_->GetSquad(Ctx().get(), get, &got).ok());
  EXPECT_EQ(got.squad().name(), "First XV");
  EXPECT_EQ(service::FromProto(got.squad().create_time()), Start());

  v1::ListSquadsRequest list;
  list.set_page_size(1);
  v1::ListSquadsResponse page1, page2;
  ASSERT_TRUE(squads_->ListSquads(Ctx().get(), list, &page1).ok());
  ASSERT_EQ(page1.squads_size(), 1);
  ASSERT_FALSE(page1.next_page_token().empty());
  list.set_page_token(page1.next_page_token());
  ASSERT_TRUE(squads_->ListSquads(Ctx().get(), list, &page2).ok());
  ASSERT_EQ(page2.squads_size(), 1);
  EXPECT_EQ(page2.squads(0).name(), "A League");
  EXPECT_TRUE(page2.next_page_token().empty());

  clock_.Advance(absl::Hours(1));
  v1::UpdateSquadRequest update;
  update.mutable_squad()->set_id(id);
  update.mutable_squad()->set_name("Senior squad");
  v1::UpdateSquadResponse updated;
  ASSERT_TRUE(squads_->UpdateSquad(Ctx().get(), update, &updated).ok());
  EXPECT_EQ(updated.squad().name(), "Senior squad");
  EXPECT_EQ(service::FromProto(updated.squad().update_time()), Start() + absl::Hours(1));
}

TEST_F(SquadApiTest, DuplicateNameIsAlreadyExistsAndStoresNothing) {
  MakeSquad("First XV");
  v1::CreateSquadRequest req;
  req.mutable_squad()->set_name("First XV");
  v1::CreateSquadResponse resp;
  EXPECT_EQ(squads_->CreateSquad(Ctx().get(), req, &resp).error_code(),
            grpc::StatusCode::ALREADY_EXISTS);
  v1::ListSquadsResponse list;
  ASSERT_TRUE(squads_->ListSquads(Ctx().get(), {}, &list).ok());
  EXPECT_EQ(list.squads_size(), 1);
}

TEST_F(SquadApiTest, BadInputGetsFieldViolations) {
  v1::CreateSquadRequest req;
  req.mutable_squad()->set_name("   ");
  v1::CreateSquadResponse resp;
  auto status = squads_->CreateSquad(Ctx().get(), req, &resp);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(ViolatedFields(status), ElementsAre("squad.name"));

  req.mutable_squad()->set_name(std::string(201, 'x'));
  status = squads_->CreateSquad(Ctx().get(), req, &resp);
  EXPECT_THAT(ViolatedFields(status), ElementsAre("squad.name"));

  // A NUL byte is valid UTF-8 but no name: refused on both stores (PostgreSQL's text cannot hold
  // one; libpq would have cut the name short at it).
  req.mutable_squad()->set_name(std::string("First\0XV", 8));
  status = squads_->CreateSquad(Ctx().get(), req, &resp);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(ViolatedFields(status), ElementsAre("squad.name"));
  v1::ListSquadsResponse none;
  ASSERT_TRUE(squads_->ListSquads(Ctx().get(), {}, &none).ok());
  EXPECT_EQ(none.squads_size(), 0);

  v1::ListSquadsRequest list;
  list.set_page_token("not-a-token");
  v1::ListSquadsResponse listed;
  status = squads_->ListSquads(Ctx().get(), list, &listed);
  EXPECT_THAT(ViolatedFields(status), ElementsAre("page_token"));
  list.set_page_token("");
  list.set_page_size(-1);
  status = squads_->ListSquads(Ctx().get(), list, &listed);
  EXPECT_THAT(ViolatedFields(status), ElementsAre("page_size"));

  v1::UpdateSquadRequest update;
  update.mutable_squad()->set_id(1);
  update.mutable_update_mask()->add_paths("create_time");
  v1::UpdateSquadResponse updated;
  EXPECT_THAT(ViolatedFields(squads_->UpdateSquad(Ctx().get(), update, &updated)),
              ElementsAre("update_mask"));
}

TEST_F(SquadApiTest, UnknownSquadIsNotFound) {
  v1::GetSquadRequest get;
  get.set_id(404);
  v1::GetSquadResponse got;
  EXPECT_EQ(squads_->GetSquad(Ctx().get(), get, &got).error_code(), grpc::StatusCode::NOT_FOUND);
  v1::UpdateSquadRequest update;
  update.mutable_squad()->set_id(404);
  update.mutable_squad()->set_name("x");
  v1::UpdateSquadResponse updated;
  EXPECT_EQ(squads_->UpdateSquad(Ctx().get(), update, &updated).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

class PlayerApiTest : public ServerTest {};

TEST_F(PlayerApiTest, CreateGetListUpdateArchive) {
  const int64_t squad = MakeSquad();
  const int64_t other_squad = MakeSquad("Academy");
  const int64_t wing = MakePlayer(squad, "Anthony Watson");
  const int64_t lock = MakePlayer(squad, "Maro Itoje", v1::POSITION_GROUP_FORWARD);
  MakePlayer(other_squad, "Academy Kid");

  v1::GetPlayerRequest get;
  get.set_id(lock);
  v1::GetPlayerResponse got;
  ASSERT_TRUE(players_->GetPlayer(Ctx().get(), get, &got).ok());
  EXPECT_EQ(got.player().name(), "Maro Itoje");
  EXPECT_EQ(got.player().position_group(), v1::POSITION_GROUP_FORWARD);
  EXPECT_EQ(got.player().squad_id(), squad);
  EXPECT_FALSE(got.player().archived());

  v1::UpdatePlayerRequest update;
  update.mutable_player()->set_id(wing);
  update.mutable_player()->set_position_name("full-back");
  update.mutable_player()->set_name("ignored because not in mask");
  update.mutable_update_mask()->add_paths("position_name");
  v1::UpdatePlayerResponse updated;
  ASSERT_TRUE(players_->UpdatePlayer(Ctx().get(), update, &updated).ok());
  EXPECT_EQ(updated.player().position_name(), "full-back");
  EXPECT_EQ(updated.player().name(), "Anthony Watson");

  clock_.Advance(absl::Hours(2));
  v1::ArchivePlayerRequest archive;
  archive.set_id(wing);
  v1::ArchivePlayerResponse archived;
  ASSERT_TRUE(players_->ArchivePlayer(Ctx().get(), archive, &archived).ok());
  EXPECT_TRUE(archived.player().archived());
  EXPECT_EQ(service::FromProto(archived.player().archive_time()), Start() + absl::Hours(2));

  v1::ListPlayersRequest list;
  list.set_squad_id(squad);
  v1::ListPlayersResponse active;
  ASSERT_TRUE(players_->ListPlayers(Ctx().get(), list, &active).ok());
  ASSERT_EQ(active.players_size(), 1);
  EXPECT_EQ(active.players(0).id(), lock);

  list.set_include_archived(true);
  v1::ListPlayersResponse all;
  ASSERT_TRUE(players_->ListPlayers(Ctx().get(), list, &all).ok());
  EXPECT_EQ(all.players_size(), 2);

  v1::ListPlayersResponse everyone;
  ASSERT_TRUE(players_->ListPlayers(Ctx().get(), {}, &everyone).ok());
  EXPECT_EQ(everyone.players_size(), 2);  // active players of every squad
}

TEST_F(PlayerApiTest, ArchivedPlayerIsReadOnly) {
  const int64_t squad = MakeSquad();
  const int64_t p = MakePlayer(squad, "Left The Club");
  v1::ArchivePlayerRequest archive;
  archive.set_id(p);
  v1::ArchivePlayerResponse archived;
  ASSERT_TRUE(players_->ArchivePlayer(Ctx().get(), archive, &archived).ok());
  EXPECT_EQ(players_->ArchivePlayer(Ctx().get(), archive, &archived).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);

  v1::UpdatePlayerRequest update;
  update.mutable_player()->set_id(p);
  update.mutable_player()->set_name("New Name");
  update.mutable_update_mask()->add_paths("name");
  v1::UpdatePlayerResponse updated;
  EXPECT_EQ(players_->UpdatePlayer(Ctx().get(), update, &updated).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);

  v1::GetPlayerRequest get;
  get.set_id(p);
  v1::GetPlayerResponse got;
  ASSERT_TRUE(players_->GetPlayer(Ctx().get(), get, &got).ok());
  EXPECT_EQ(got.player().name(), "Left The Club");
}

TEST_F(PlayerApiTest, ValidationAndConflicts) {
  const int64_t squad = MakeSquad();
  v1::CreatePlayerRequest req;
  req.mutable_player()->set_squad_id(0);
  req.mutable_player()->set_name("");
  v1::CreatePlayerResponse resp;
  auto status = players_->CreatePlayer(Ctx().get(), req, &resp);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(ViolatedFields(status),
              ElementsAre("player.squad_id", "player.name", "player.position_group"));

  req.mutable_player()->set_squad_id(999);
  req.mutable_player()->set_name("Nobody");
  req.mutable_player()->set_position_group(v1::POSITION_GROUP_BACK);
  EXPECT_EQ(players_->CreatePlayer(Ctx().get(), req, &resp).error_code(),
            grpc::StatusCode::NOT_FOUND);

  req.mutable_player()->set_squad_id(squad);
  req.mutable_player()->set_external_id("RFU-123");
  ASSERT_TRUE(players_->CreatePlayer(Ctx().get(), req, &resp).ok());
  req.mutable_player()->set_name("Somebody Else");
  EXPECT_EQ(players_->CreatePlayer(Ctx().get(), req, &resp).error_code(),
            grpc::StatusCode::ALREADY_EXISTS);

  v1::ListPlayersRequest list;
  list.set_squad_id(squad);
  v1::ListPlayersResponse listed;
  ASSERT_TRUE(players_->ListPlayers(Ctx().get(), list, &listed).ok());
  EXPECT_EQ(listed.players_size(), 1);

  list.set_squad_id(999);
  EXPECT_EQ(players_->ListPlayers(Ctx().get(), list, &listed).error_code(),
            grpc::StatusCode::NOT_FOUND);

  v1::GetPlayerRequest get;
  get.set_id(-5);
  v1::GetPlayerResponse got;
  EXPECT_THAT(ViolatedFields(players_->GetPlayer(Ctx().get(), get, &got)), ElementsAre("id"));
}

TEST_F(PlayerApiTest, HealthServiceServes) {
  auto health = grpc::health::v1::Health::NewStub(channel_);
  grpc::health::v1::HealthCheckRequest req;
  grpc::health::v1::HealthCheckResponse resp;
  ASSERT_TRUE(health->Check(Ctx().get(), req, &resp).ok());
  EXPECT_EQ(resp.status(), grpc::health::v1::HealthCheckResponse::SERVING);
}

TEST_F(PlayerApiTest, DataSurvivesRestart) {
  const int64_t squad = MakeSquad("Persisted");
  MakePlayer(squad, "Still Here");
  RestartServer();
  v1::ListPlayersRequest list;
  list.set_squad_id(squad);
  v1::ListPlayersResponse listed;
  ASSERT_TRUE(players_->ListPlayers(Ctx().get(), list, &listed).ok());
  ASSERT_EQ(listed.players_size(), 1);
  EXPECT_EQ(listed.players(0).name(), "Still Here");
}

}  // namespace
}  // namespace touchline::testing
